import type { ConversationKind } from '@chat/contracts';
import { LRUCache } from 'lru-cache';

/** The part of a conversation document a batch reads before it writes. */
export interface ConversationState {
  _id: string;
  /** Read for groups (heads of 1-1 conversations leave it out). */
  kind?: ConversationKind;
  lastSeq: number;
  /** Absent on conversations stored before the change log existed. */
  lastChangeSeq?: number | null;
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
 * Least recently written entries are dropped beyond `capacity`. A message change (edit, deletion, reactions)
 * moves `lastChangeSeq`, so its conversation's head is forgotten.
 */
export class ConversationHeads {
  /** Absent with a capacity of 0: nothing is kept. */
  private readonly heads: LRUCache<string, ConversationState> | undefined;

  constructor(capacity: number) {
    this.heads = capacity > 0 ? new LRUCache({ max: capacity }) : undefined;
  }

  get(conversationId: string): ConversationState | undefined {
    // A peek: recency is by writing, so what this writer stored last is what it keeps.
    return this.heads?.peek(conversationId);
  }

  remember(head: ConversationState): void {
    this.heads?.set(head._id, head);
  }

  forget(conversationIds: Iterable<string>): void {
    for (const id of conversationIds) this.heads?.delete(id);
  }

  forgetAll(): void {
    this.heads?.clear();
  }

  get size(): number {
    return this.heads?.size ?? 0;
  }
}
