import { randomUUID } from 'node:crypto';
import type { ErrorMessageKey } from '@chat/contracts';
import { isEncodingError } from '@chat/event-bus';
import { AppError } from '../errors.js';

interface Waiter<T> {
  resolve: (reply: T) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Requests waiting for the fact that answers their command, by correlation id. Every gateway sees every fact;
 * only the one holding the correlation id resolves it.
 */
export class PendingReplies<T> {
  private readonly waiters = new Map<string, Waiter<T>>();

  constructor(
    private readonly timeoutMs: number,
    /** What a request that timed out is told. */
    private readonly timeoutReason: ErrorMessageKey,
    /**
     * True when nobody would answer a command published now (no persister is running): such requests fail at
     * once with `noPersister` instead of waiting out the timeout.
     */
    private readonly answererAbsent: () => boolean | Promise<boolean> = () => false,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  wait(correlationId: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(correlationId);
        reject(new AppError(this.timeoutReason));
      }, this.timeoutMs);
      this.waiters.set(correlationId, { resolve, reject, timer });
    });
  }

  /**
   * Sends a command through `publish` (which must put the correlation id on it) and resolves with the fact
   * that answers it, or fails with UNAVAILABLE when Kafka does not take the command or no answer comes within
   * the timeout (whichever is first): the command may be retried. A command that cannot be built or encoded
   * fails with that error as it is (INTERNAL for the client, and logged): sending it again would fail again.
   */
  async request(publish: (correlationId: string) => Promise<void>): Promise<T> {
    if (await this.answererAbsent()) throw new AppError('noPersister');
    const correlationId = randomUUID();
    const reply = this.wait(correlationId);
    let published: Promise<void>;
    try {
      published = publish(correlationId);
    } catch (error) {
      this.fail(correlationId, error);
      return reply;
    }
    // Not awaited: a publish stuck on an unreachable broker must not hold the request past its timeout.
    published.catch((error: unknown) =>
      this.fail(
        correlationId,
        isEncodingError(error) ? error : new AppError('UNAVAILABLE', { cause: error }),
      ),
    );
    return reply;
  }

  /** Whether a request of this gateway waits for `correlationId`. */
  has(correlationId: string): boolean {
    return this.waiters.has(correlationId);
  }

  settle(correlationId: string, reply: T): void {
    const waiter = this.take(correlationId);
    waiter?.resolve(reply);
  }

  fail(correlationId: string, error: unknown): void {
    const waiter = this.take(correlationId);
    waiter?.reject(error);
  }

  /** On shutdown: everyone still waiting is told to retry (their command may still take effect). */
  failAll(error: AppError): void {
    for (const correlationId of [...this.waiters.keys()]) this.fail(correlationId, error);
  }

  private take(correlationId: string): Waiter<T> | undefined {
    const waiter = this.waiters.get(correlationId);
    if (!waiter) return undefined;
    clearTimeout(waiter.timer);
    this.waiters.delete(correlationId);
    return waiter;
  }
}
