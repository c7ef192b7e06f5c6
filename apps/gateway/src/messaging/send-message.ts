import { type MessageDto, type MessageSendPayload, Topics, toMessageDto } from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import type { ConversationMembers } from '../conversations/conversation-members.js';
import { AppError, assertOtherUser } from '../errors.js';
import type { CommandRequests } from '../kafka/command-requests.js';

export interface SendMessageDeps {
  members: ConversationMembers;
  requests: CommandRequests;
}

/** The conversation a send goes to, and its recipient in a 1-1 conversation (null in a group). */
async function targetOf(
  deps: SendMessageDeps,
  senderId: string,
  payload: MessageSendPayload,
): Promise<{ conversationId: string; recipientId: string | null }> {
  if (payload.conversationId === undefined) {
    const otherUserId = payload.otherUserId ?? '';
    assertOtherUser(senderId, otherUserId);
    return { conversationId: oneToOneConversationId(senderId, otherUserId), recipientId: otherUserId };
  }
  // A non-member is refused here, before anything is published.
  const members = await deps.members.require(payload.conversationId, senderId);
  return {
    conversationId: payload.conversationId,
    recipientId:
      members.kind === 'group' ? null : (members.participantIds.find((id) => id !== senderId) ?? senderId),
  };
}

/**
 * Publishes the send command and resolves with the stored message once the persister reports it stored.
 * The payload is already validated; `senderId` comes from the verified token.
 */
export async function sendMessage(
  deps: SendMessageDeps,
  senderId: string,
  payload: MessageSendPayload,
): Promise<MessageDto> {
  const { conversationId, recipientId } = await targetOf(deps, senderId, payload);
  if (
    payload.replyToId !== undefined &&
    (await deps.members.messageConversation(payload.replyToId)) !== conversationId
  ) {
    throw new AppError('replyToUnknown', {
      details: [{ path: 'replyToId', message: 'must name a message of the same conversation' }],
    });
  }
  const stored = await deps.requests.request(Topics.messageSent, {
    conversationId,
    senderId,
    recipientId,
    clientMessageId: payload.clientMessageId,
    text: payload.text,
    sentAt: Date.now(),
    replyToId: payload.replyToId ?? null,
  });
  return toMessageDto(stored);
}
