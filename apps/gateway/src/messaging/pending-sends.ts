import type { MessagePersisted } from '@chat/contracts';
import { AppError } from '../errors.js';

interface Waiter {
  resolve: (message: MessagePersisted) => void;
  reject: (error: AppError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Sends waiting for their message.persisted, by correlation id. Every gateway sees every persisted event;
 * only the one holding the correlation id resolves it.
 */
export class PendingSends {
  private readonly waiters = new Map<string, Waiter>();

  constructor(private readonly timeoutMs: number) {}

  get size(): number {
    return this.waiters.size;
  }

  wait(correlationId: string): Promise<MessagePersisted> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(correlationId);
        reject(
          new AppError(
            'UNAVAILABLE',
            'The message could not be confirmed as stored in time; resend it with the same clientMessageId.',
          ),
        );
      }, this.timeoutMs);
      this.waiters.set(correlationId, { resolve, reject, timer });
    });
  }

  settle(correlationId: string, message: MessagePersisted): void {
    const waiter = this.waiters.get(correlationId);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(correlationId);
    waiter.resolve(message);
  }

  fail(correlationId: string, error: AppError): void {
    const waiter = this.waiters.get(correlationId);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(correlationId);
    waiter.reject(error);
  }

  /** On shutdown: everyone still waiting is told to retry (their message may still be stored). */
  failAll(error: AppError): void {
    for (const correlationId of [...this.waiters.keys()]) this.fail(correlationId, error);
  }
}
