import { AppError } from '../errors.js';

interface Waiter<T> {
  resolve: (reply: T) => void;
  reject: (error: AppError) => void;
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
    private readonly timeoutMessage: string,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  wait(correlationId: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(correlationId);
        reject(new AppError('UNAVAILABLE', this.timeoutMessage));
      }, this.timeoutMs);
      this.waiters.set(correlationId, { resolve, reject, timer });
    });
  }

  settle(correlationId: string, reply: T): void {
    const waiter = this.take(correlationId);
    waiter?.resolve(reply);
  }

  fail(correlationId: string, error: AppError): void {
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
