import type { ErrorMessageKey } from '@chat/contracts';
import { AppError } from '../errors.js';

/**
 * Caps the requests each holder (a socket) has waiting at once: one more than `max` is refused with `refusal`
 * (a RATE_LIMITED message) before any work starts. Only holders with requests in flight are kept, so idle
 * connections cost nothing.
 */
export class InFlightLimit<K> {
  private readonly inFlight = new Map<K, number>();

  constructor(
    private readonly max: number,
    private readonly refusal: ErrorMessageKey,
  ) {}

  /** Holders with at least one request in flight. */
  get size(): number {
    return this.inFlight.size;
  }

  async run<R>(holder: K, work: () => Promise<R>): Promise<R> {
    const count = this.inFlight.get(holder) ?? 0;
    if (count >= this.max) throw new AppError(this.refusal);
    this.inFlight.set(holder, count + 1);
    try {
      return await work();
    } finally {
      const left = (this.inFlight.get(holder) ?? 1) - 1;
      if (left > 0) this.inFlight.set(holder, left);
      else this.inFlight.delete(holder);
    }
  }
}
