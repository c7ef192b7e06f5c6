import { createHash } from 'node:crypto';

function digest(parts: string[]): string {
  // JSON keeps the parts apart whatever characters they contain.
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

/** A 1-1 conversation's id: the same for (a, b) and (b, a), so simultaneous first messages meet in one. */
export function oneToOneConversationId(userA: string, userB: string): string {
  return `dm_${digest([userA, userB].sort())}`;
}

/** A message's id, derived from its idempotency key: a resent command maps onto the stored message. */
export function messageId(conversationId: string, senderId: string, clientMessageId: string): string {
  return `msg_${digest([conversationId, senderId, clientMessageId])}`;
}

/** A group's id, derived from its creator and the creation's idempotency key: a retried create finds the group. */
export function groupConversationId(creatorId: string, clientRequestId: string): string {
  return `grp_${digest(['group', creatorId, clientRequestId])}`;
}

/** One member's hide of one message: hiding it again finds the same one. */
export function messageHideId(messageId: string, userId: string): string {
  return `hide_${digest(['hide', messageId, userId])}`;
}
