import { KafkaHeaders, type MessageDto, type MessageSendPayload, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { oneToOneConversationId } from '@chat/storage';
import { assertOtherUser } from '../errors.js';
import type { PendingReplies } from './pending-replies.js';

export interface SendMessageDeps {
  bus: EventBus;
  pendingSends: PendingReplies<MessageDto>;
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
  assertOtherUser(senderId, payload.otherUserId);
  const conversationId = oneToOneConversationId(senderId, payload.otherUserId);
  return deps.pendingSends.request((correlationId) =>
    deps.bus.publish(Topics.messageSent, [
      {
        key: conversationId,
        headers: { [KafkaHeaders.correlationId]: correlationId },
        value: {
          conversationId,
          senderId,
          recipientId: payload.otherUserId,
          clientMessageId: payload.clientMessageId,
          text: payload.text,
          sentAt: Date.now(),
        },
      },
    ]),
  );
}
