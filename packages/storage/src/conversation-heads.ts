/** The part of a conversation document a batch reads before it writes. */
export interface ConversationState {
  _id: string;
  /** Read for groups (heads of 1-1 conversations leave it out). */
  kind?: 'one_to_one' | 'group';
  lastSeq: number;
  lastMessage?: { id?: string | null; senderId?: string | null; createdAt?: Date | null } | null;
  participants: Array<{ userId: string; lastReplyRewardAt?: Date | null }>;
  /** A group's current members, read with every batch (never remembered). */
  participantIds?: string[];
}

/**
 * The head of each 1-1 conversation this writer stored to last: its seq counter, latest message and reply-reward
 * windows, which is all a batch needs to read before it writes. A persister owns its partitions' conversations,
 * so what it wrote last is what is stored, and keeping it saves a read per conversation and batch. Forget
 * everything when partitions move (another persister may have written since); a failed batch forgets its own.
 * Least recently written entries are dropped beyond `capacity`.
 */
export class ConversationHeads {
  private readonly heads = new Map<string, ConversationState>();

  constructor(private readonly capacity: number) {}

  get(conversationId: string): ConversationState | undefined {
    return this.heads.get(conversationId);
  }

  remember(head: ConversationState): void {
    this.heads.delete(head._id);
    this.heads.set(head._id, head);
    if (this.heads.size > this.capacity) {
      const oldest = this.heads.keys().next().value as string;
      this.heads.delete(oldest);
    }
  }

  forget(conversationIds: Iterable<string>): void {
    for (const id of conversationIds) this.heads.delete(id);
  }

  forgetAll(): void {
    this.heads.clear();
  }

  get size(): number {
    return this.heads.size;
  }
}
