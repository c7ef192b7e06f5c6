import { LRUCache } from 'lru-cache';

/**
 * The highest seq this gateway delivered per conversation, so a fact it sees again is not delivered again.
 *
 * `message.persisted` is at-least-once: a persister that crashed before committing its offsets replays its
 * batch, and a client's resend of a stored message republishes it. Facts of one conversation share a partition,
 * so they arrive in seq order, and a seq at or below the highest delivered one is a repeat. Acks are not
 * affected (a resend must still be answered). The least recently delivered conversations are dropped beyond
 * `capacity`; a repeat for one of them is delivered again, and clients dedupe by (conversationId, seq) anyway.
 */
export class DeliveredSeqs {
  private readonly highest: LRUCache<string, number>;

  constructor(capacity: number) {
    this.highest = new LRUCache({ max: capacity });
  }

  /** Records `seq` as delivered and says whether it is new (true) or a repeat (false). */
  firstDelivery(conversationId: string, seq: number): boolean {
    const previous = this.highest.get(conversationId);
    if (previous !== undefined && seq <= previous) return false;
    this.highest.set(conversationId, seq);
    return true;
  }
}
