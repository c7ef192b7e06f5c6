import type { ConversationKind } from '@chat/contracts';
import { type ChatModels, findConversationMembers, findMessageConversationId } from '@chat/storage';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors.js';

/**
 * How long a remembered member list is trusted. Changes stored through this gateway's fact consumer update it at
 * once; the limit bounds how long one it never read (a lagging or restarted consumer) can let a removed member
 * type or mark here. The persister checks membership again when it stores a message.
 */
const MEMBERS_TTL_MS = 60_000;

export interface Members {
  kind: ConversationKind;
  participantIds: string[];
}

/**
 * Each conversation's current members, for the gateway's checks (may this user send, type, mark delivered
 * here?) and for routing typing indicators. Kept fresh by every `group.change.persisted` this gateway reads;
 * a user missing from a remembered list is looked up again before being refused, so a member added on another
 * gateway a moment ago is never turned away. The persister checks membership again when it stores a message.
 * The least recently used conversations are dropped beyond `capacity`, and any list after `ttlMs`.
 */
export class ConversationMembers {
  private readonly known: LRUCache<string, Members>;

  constructor(
    private readonly models: ChatModels,
    capacity: number,
    ttlMs: number = MEMBERS_TTL_MS,
  ) {
    this.known = new LRUCache({ max: capacity, ttl: ttlMs });
  }

  /**
   * The conversation's members, with `userId` among them. Otherwise NOT_FOUND, alike for an unknown
   * conversation and for one the user never belonged to (nobody learns whether two others talk); FORBIDDEN only
   * for a member removed from a group, who knows it exists.
   */
  async require(conversationId: string, userId: string): Promise<Members> {
    const remembered = this.known.get(conversationId);
    if (remembered?.participantIds.includes(userId)) return remembered;
    const members = await findConversationMembers(this.models, conversationId);
    if (!members) throw new AppError('noSuchConversation');
    this.known.set(conversationId, { kind: members.kind, participantIds: members.participantIds });
    if (members.participantIds.includes(userId)) return members;
    throw new AppError(members.formerIds.includes(userId) ? 'notAMember' : 'noSuchConversation');
  }

  /** The conversation a message belongs to (which never changes); undefined for an unknown message. */
  messageConversation(messageId: string): Promise<string | undefined> {
    return findMessageConversationId(this.models, messageId);
  }

  /** A group's members after a stored change. */
  update(conversationId: string, participantIds: string[]): void {
    this.known.set(conversationId, { kind: 'group', participantIds });
  }
}
