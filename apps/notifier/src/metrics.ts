import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the notifier records besides the bus's and the process's metrics (docs/operations.md lists them all). */
export function notifierMetrics(
  registry: Registry,
  sources: { openWindows: () => number; inFlight: () => number } = {
    openWindows: () => 0,
    inFlight: () => 0,
  },
) {
  new Gauge({
    name: 'chat_notifier_open_windows',
    help: 'Notifications waiting for their coalescing window to close.',
    registers: [registry],
    collect() {
      this.set(sources.openWindows());
    },
  });
  new Gauge({
    name: 'chat_notifier_in_flight',
    help: 'Notifications being sent or waiting for their next attempt.',
    registers: [registry],
    collect() {
      this.set(sources.inFlight());
    },
  });
  return {
    notifications: new Counter({
      name: 'chat_notifier_notifications_total',
      help: 'Notifications finished, by outcome: sent (2xx), gone (410, not retried), dead_lettered (to notification.failed).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'chat_notifier_retries_total',
      help: 'Webhook attempts scheduled again after a failed one.',
      registers: [registry],
    }),
    coalesced: new Counter({
      name: 'chat_notifier_coalesced_total',
      help: 'Messages folded into a notification already waiting for its window to close.',
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'chat_notifier_skipped_total',
      help: 'Notifications not sent, by why: connected, read, muted, not_member.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    webhookSeconds: new Histogram({
      name: 'chat_notifier_webhook_seconds',
      help: 'Time of one webhook attempt, by result: 2xx, 410, other status class (4xx, 5xx), timeout, network.',
      labelNames: ['result'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type NotifierMetrics = ReturnType<typeof notifierMetrics>;
