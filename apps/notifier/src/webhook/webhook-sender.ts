import { type MessageNotification, type NotificationFailed, WebhookHeaders } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { NotifierMetrics } from '../metrics.js';
import { signWebhook } from './signature.js';

/** Attempts of one notification, the first included; then it goes to `notification.failed`. */
export const MAX_ATTEMPTS = 8;
/** An attempt with no answer by then is failed (and retried). */
export const ATTEMPT_TIMEOUT_MS = 5000;

/**
 * The wait before attempt `attempt + 1`: `baseMs` doubled for each attempt made, times a random factor from 0.75 to
 * 1.25, so that notifications that failed together (an endpoint that was down) do not all come back at once.
 */
export function retryDelay(baseMs: number, attempt: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (0.75 + random() / 2));
}

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  retryBaseMs: number;
  logger: Logger;
  metrics: NotifierMetrics;
  /** Publishes a notification given up after its last attempt (to `notification.failed`). */
  giveUp: (failed: NotificationFailed) => Promise<void>;
}

type AttemptResult = { ok: true; status: number } | { ok: false; gone: boolean; error: string };

/** A failed fetch says only "fetch failed"; its cause names what failed (ECONNREFUSED, a reset…). */
function describe(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? String(error);
}

/**
 * Posts notifications to the webhook, each on its own: an attempt waits for no other, so one slow answer never
 * holds up another recipient's notification (HTTP connections are pooled without a limit per origin). A non-2xx
 * answer, or none within ATTEMPT_TIMEOUT_MS, is retried with exponential backoff and jitter; 410 Gone ends it
 * at once; after MAX_ATTEMPTS it is given up.
 */
export class WebhookSender {
  private readonly inFlight = new Set<Promise<void>>();
  /** Wakes each notification waiting for its next attempt: on shutdown, they try once more at once. */
  private readonly waiting = new Set<() => void>();
  private closing = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  /** Notifications being sent or waiting for their next attempt. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  send(notification: MessageNotification): void {
    const delivery = this.deliver(notification).catch((error: unknown) =>
      this.options.logger.error({ err: error, deliveryId: notification.deliveryId }, 'notification lost'),
    );
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /**
   * Shutdown: notifications waiting for a retry make their next attempt now, and any that fails is given up at
   * once (to `notification.failed`, not dropped); resolves when every notification has ended.
   */
  async drain(): Promise<void> {
    this.closing = true;
    for (const wake of this.waiting) wake();
    await this.idle();
  }

  /** Resolves once no notification is being sent or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(notification: MessageNotification): Promise<void> {
    const { logger, metrics } = this.options;
    const body = JSON.stringify(notification);
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.attempt(notification.deliveryId, body);
      if (result.ok) {
        metrics.notifications.inc({ outcome: 'sent' });
        return;
      }
      if (result.gone) {
        metrics.notifications.inc({ outcome: 'gone' });
        logger.info({ deliveryId: notification.deliveryId }, 'webhook answered 410 Gone: not retried');
        return;
      }
      if (attempt >= MAX_ATTEMPTS || this.closing) {
        await this.giveUp(notification, attempt, result.error);
        return;
      }
      metrics.retries.inc();
      logger.debug({ deliveryId: notification.deliveryId, attempt, error: result.error }, 'webhook retry');
      await this.sleep(retryDelay(this.options.retryBaseMs, attempt));
    }
  }

  private async attempt(deliveryId: string, body: string): Promise<AttemptResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    const stopTimer = this.options.metrics.webhookSeconds.startTimer();
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [WebhookHeaders.deliveryId]: deliveryId,
          [WebhookHeaders.timestamp]: String(timestamp),
          [WebhookHeaders.signature]: signWebhook(this.options.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      // The answer's body means nothing to us; reading it to the end frees the connection for the next request.
      await response.arrayBuffer().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      stopTimer({
        result: ok ? '2xx' : response.status === 410 ? '410' : `${Math.floor(response.status / 100)}xx`,
      });
      return ok
        ? { ok: true, status: response.status }
        : { ok: false, gone: response.status === 410, error: `HTTP ${response.status}` };
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      stopTimer({ result: timedOut ? 'timeout' : 'network' });
      return {
        ok: false,
        gone: false,
        error: timedOut ? `no answer within ${ATTEMPT_TIMEOUT_MS} ms` : `request failed: ${describe(error)}`,
      };
    }
  }

  private async giveUp(
    notification: MessageNotification,
    attempts: number,
    lastError: string,
  ): Promise<void> {
    const { preview, type: _, ...fields } = notification;
    await this.options.giveUp({
      ...fields,
      preview: preview ?? null,
      attempts,
      lastError,
      failedAt: Date.now(),
    });
    this.options.metrics.notifications.inc({ outcome: 'dead_lettered' });
    this.options.logger.warn(
      { deliveryId: notification.deliveryId, attempts, lastError },
      'notification given up: published to notification.failed',
    );
  }

  private sleep(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiting.add(wake);
    });
  }
}
