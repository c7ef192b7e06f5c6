/** A send not yet confirmed stored: what `message:send` carries, with the id that makes resending safe. */
export type OutboxEntry = { clientMessageId: string; text: string; replyToId?: string } & (
  | { otherUserId: string; conversationId?: undefined }
  | { conversationId: string; otherUserId?: undefined }
);

/**
 * The sends not yet stored, in the order they were made. Entries leave only when stored or given up on, so a
 * saved state carries them to the next session, which resends them with the same ids.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();

  constructor(entries: readonly OutboxEntry[] = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Adds a send at the end; one already waiting with this clientMessageId keeps its place. */
  add(entry: OutboxEntry): void {
    if (!this.entries.has(entry.clientMessageId)) this.entries.set(entry.clientMessageId, { ...entry });
  }

  remove(clientMessageId: string): void {
    this.entries.delete(clientMessageId);
  }

  has(clientMessageId: string): boolean {
    return this.entries.has(clientMessageId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Oldest first. */
  list(): OutboxEntry[] {
    return [...this.entries.values()].map((entry) => ({ ...entry }));
  }

  /**
   * Sends to one conversation go out one at a time, so they are stored in the order they were made: the
   * entries to try now are each conversation's oldest, in outbox order.
   */
  heads(): OutboxEntry[] {
    const seen = new Set<string>();
    const heads: OutboxEntry[] = [];
    for (const entry of this.entries.values()) {
      const target = targetOf(entry);
      if (seen.has(target)) continue;
      seen.add(target);
      heads.push(entry);
    }
    return heads;
  }
}

/** The conversation a send goes to, as far as the client can tell without asking. */
export function targetOf(entry: OutboxEntry): string {
  return entry.conversationId !== undefined
    ? `conversation:${entry.conversationId}`
    : `user:${entry.otherUserId}`;
}
