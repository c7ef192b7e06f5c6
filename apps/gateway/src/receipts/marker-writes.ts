import { AppError } from '../errors.js';
import type { RateLimiter } from '../socket/rate-limiter.js';

interface Write<R> {
  marker: number;
  promise: Promise<R>;
}

interface Coalesced<R> extends Write<R> {
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** One user's marker of one kind on one conversation. */
interface Slot<R> {
  lastWriteAt: number;
  /** The write sent and not yet answered. */
  inFlight?: Write<R> | undefined;
  /** The write that the commands of the current window were coalesced into, sent when the window ends. */
  next?: Coalesced<R> | undefined;
}

/**
 * One kind of marker (read, or delivered), coalesced. Per user and conversation, at most one write is sent each
 * `windowMs`: a command when none was sent for a window goes at once; the commands that follow within the
 * window wait for its end and go as one write, carrying the highest marker among them. Every command is
 * answered with the write that covers it, once that write is stored (a command no higher than the write in
 * flight shares that one). On top of that a user may cause at most what `userWrites` allows across
 * conversations (one limiter shared by the read and the delivered markers' instances); a command that would
 * need a write beyond it is refused RATE_LIMITED with `retryAfterMs`.
 * So a user's devices cannot turn a burst of receipts into a burst of database writes and pushes to every member.
 */
export class MarkerWrites<R> {
  private readonly slots = new Map<string, Slot<R>>();

  constructor(
    private readonly userWrites: RateLimiter<string>,
    private readonly windowMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Resolves with what `write(marker)` stored, for this command's marker or a higher one. `write` depends only
   * on (userId, conversationId) and the marker: a coalesced write is sent with the first command's `write`.
   */
  submit(
    userId: string,
    conversationId: string,
    marker: number,
    write: (marker: number) => Promise<R>,
  ): Promise<R> {
    const id = JSON.stringify([userId, conversationId]);
    const slot = this.slots.get(id) ?? { lastWriteAt: Number.NEGATIVE_INFINITY };
    if (slot.next) {
      slot.next.marker = Math.max(slot.next.marker, marker);
      return slot.next.promise;
    }
    if (slot.inFlight && marker <= slot.inFlight.marker) return slot.inFlight.promise;
    const retryAfterMs = this.userWrites.take(userId);
    if (retryAfterMs !== undefined) throw new AppError('tooManyMarkers', { retryAfterMs });
    this.slots.set(id, slot);
    const waitMs = slot.lastWriteAt + this.windowMs - this.now();
    if (waitMs <= 0) return this.send(slot, marker, write);
    let settle: Pick<Coalesced<R>, 'resolve' | 'reject'> = { resolve: () => {}, reject: () => {} };
    const promise = new Promise<R>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const timer = setTimeout(() => {
      const next = slot.next as Coalesced<R>;
      slot.next = undefined;
      this.send(slot, next.marker, write).then(next.resolve, next.reject);
    }, waitMs);
    timer.unref();
    slot.next = { marker, promise, timer, ...settle };
    return promise;
  }

  /** Forgets the slots that are idle and whose window has passed. */
  sweep(): void {
    const now = this.now();
    for (const [id, slot] of this.slots) {
      if (!slot.inFlight && !slot.next && slot.lastWriteAt + this.windowMs <= now) this.slots.delete(id);
    }
  }

  /** On shutdown: commands still waiting for their window are answered `error` (their marker was not sent). */
  failAll(error: unknown): void {
    for (const slot of this.slots.values()) {
      if (!slot.next) continue;
      clearTimeout(slot.next.timer);
      slot.next.reject(error);
      slot.next = undefined;
    }
  }

  private send(slot: Slot<R>, marker: number, write: (marker: number) => Promise<R>): Promise<R> {
    slot.lastWriteAt = this.now();
    let promise: Promise<R>;
    try {
      promise = write(marker);
    } catch (error) {
      promise = Promise.reject(error);
    }
    const sent: Write<R> = { marker, promise };
    slot.inFlight = sent;
    sent.promise
      .finally(() => {
        if (slot.inFlight === sent) slot.inFlight = undefined;
      })
      .catch(() => {});
    return sent.promise;
  }
}
