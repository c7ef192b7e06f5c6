import type { ConversationKind } from '@chat/contracts';
import { type ChatModels, findConversationMembers } from '@chat/storage';
import { AppError } from '../errors.js';

export interface Members {
  kind: ConversationKind;
  participantIds: string[];
}

/**
 * Each conversation's current members, for the gateway's checks (may this user send, type, mark delivered
 * here?) and for routing typing indicators. Kept fresh by every `group.change.persisted` this gateway reads;
 * a user missing from a remembered list is looked up again before being refused, so a member added on another
 * gateway a moment ago is never turned away. The persister checks membership again when it stores a message.
 * The least recently used conversations are dropped beyond `capacity`.
 */
export class ConversationMembers {
  private readonly known = new Map<string, Members>();

  constructor(
    private readonly models: ChatModels,
    private readonly capacity: number,
  ) {}

  /**
   * The conversation's members, with `userId` among them. Otherwise NOT_FOUND, alike for an unknown
   * conversation and for one the user never belonged to (nobody learns whether two others talk); FORBIDDEN only
   * for a member removed from a group, who knows it exists.
   */
  async require(conversationId: string, userId: string): Promise<Members> {
    const remembered = this.known.get(conversationId);
    if (remembered?.participantIds.includes(userId)) {
      this.remember(conversationId, remembered);
      return remembered;
    }
    const members = await findConversationMembers(this.models, conversationId);
    if (!members) throw new AppError('noSuchConversation');
    this.remember(conversationId, { kind: members.kind, participantIds: members.participantIds });
    if (members.participantIds.includes(userId)) return members;
    throw new AppError(members.formerIds.includes(userId) ? 'notAMember' : 'noSuchConversation');
  }

  /** A group's members after a stored change. */
  update(conversationId: string, participantIds: string[]): void {
    this.remember(conversationId, { kind: 'group', participantIds });
  }

  private remember(conversationId: string, members: Members): void {
    this.known.delete(conversationId);
    this.known.set(conversationId, members);
    if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value as string);
  }
}
