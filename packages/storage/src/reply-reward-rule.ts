import type { ConversationState } from './conversation-heads.js';
import type { MessageDoc } from './models.js';

const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The replied-in-24h rule, applied in seq order. A message from B to A is a rewarded reply when the message
 * before it in the conversation is A's, sent less than 24 h earlier, and B has no reward in this conversation
 * within the last 24 h. The decision is stored on the message, so a replay never decides twice.
 */
export class ReplyRewardRule {
  private previous: { id: string; senderId: string; createdAt: number } | undefined;
  private readonly lastRewardAt = new Map<string, number>();

  constructor(conversation: ConversationState | undefined) {
    const last = conversation?.lastMessage;
    if (last?.id && last.senderId && last.createdAt) {
      this.previous = { id: last.id, senderId: last.senderId, createdAt: last.createdAt.getTime() };
    }
    for (const participant of conversation?.participants ?? []) {
      if (participant.lastReplyRewardAt)
        this.lastRewardAt.set(participant.userId, participant.lastReplyRewardAt.getTime());
    }
  }

  /**
   * Decides for a new message (and records it); replays the recorded decision of a stored one. A 1-1 rule:
   * group messages (no recipient) never earn a reward.
   */
  next(doc: MessageDoc, isNew: boolean): void {
    const createdAt = doc.createdAt.getTime();
    if (isNew && doc.recipientId) {
      const previous = this.previous;
      const rewardedBefore = this.lastRewardAt.get(doc.senderId);
      if (
        previous &&
        previous.senderId === doc.recipientId &&
        createdAt - previous.createdAt < REPLY_WINDOW_MS &&
        (rewardedBefore === undefined || createdAt - rewardedBefore >= REPLY_WINDOW_MS)
      ) {
        doc.replyReward = {
          repliedToMessageId: previous.id,
          replyDelayMs: createdAt - previous.createdAt,
          publishedAt: null,
        };
      }
    }
    if (doc.replyReward?.repliedToMessageId) this.lastRewardAt.set(doc.senderId, createdAt);
    this.previous = { id: doc._id, senderId: doc.senderId, createdAt };
  }

  rewardWindowStart(userId: string): Date | undefined {
    const at = this.lastRewardAt.get(userId);
    return at === undefined ? undefined : new Date(at);
  }
}
