import { randomUUID } from 'node:crypto';
import {
  isErrorReason,
  type MessageChange,
  type MessageDeletePayload,
  type MessageDto,
  type MessageEditPayload,
  type MessageReactPayload,
  Topics,
  toMessageDto,
} from '@chat/contracts';
import { AppError } from '../errors.js';
import type { SendMessageDeps } from './send-message.js';

export type MessageChangeDeps = SendMessageDeps;

/**
 * The conversation of the message a change names, once the caller is known to be one of its members. An
 * unknown message and a message of a conversation the caller never belonged to get the same NOT_FOUND: nobody
 * learns a message exists by naming it. A member removed from a group is FORBIDDEN, as everywhere.
 */
async function conversationOf(deps: MessageChangeDeps, userId: string, messageId: string): Promise<string> {
  const conversationId = await deps.members.messageConversation(messageId);
  if (conversationId === undefined) throw new AppError('noSuchMessage');
  try {
    await deps.members.require(conversationId, userId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw new AppError('noSuchMessage');
    throw error;
  }
  return conversationId;
}

/**
 * Publishes a change and resolves with the message after it once the persister stored it; a change it refused
 * (not the sender, past the edit window, deleted…) fails with its catalogued reason. A change the client gave no
 * clientRequestId gets one here, so a command Kafka delivers twice is still applied once.
 */
async function change(
  deps: MessageChangeDeps,
  actorId: string,
  messageId: string,
  what: Pick<MessageChange, 'action' | 'text' | 'scope' | 'emojis'> & {
    clientRequestId?: string | undefined;
  },
): Promise<MessageDto | undefined> {
  const conversationId = await conversationOf(deps, actorId, messageId);
  const stored = await deps.requests.request(Topics.messageChange, {
    conversationId,
    messageId,
    actorId,
    action: what.action,
    text: what.text,
    scope: what.scope,
    emojis: what.emojis,
    requestId: what.clientRequestId ?? randomUUID(),
    at: Date.now(),
  });
  if (stored.refusal !== null) {
    throw new AppError(isErrorReason(stored.refusal) ? stored.refusal : 'INTERNAL');
  }
  const [message] = stored.messages;
  return message && toMessageDto(message);
}

/** The message a stored edit or reaction set answers with; absent only if the persister broke its contract. */
function changed(message: MessageDto | undefined): { message: MessageDto } {
  if (!message) throw new AppError('INTERNAL');
  return { message };
}

export async function editMessage(
  deps: MessageChangeDeps,
  userId: string,
  payload: MessageEditPayload,
): Promise<{ message: MessageDto }> {
  return changed(
    await change(deps, userId, payload.messageId, {
      action: 'edit',
      text: payload.text,
      scope: null,
      emojis: [],
      clientRequestId: payload.clientRequestId,
    }),
  );
}

export async function deleteMessage(
  deps: MessageChangeDeps,
  userId: string,
  payload: MessageDeletePayload,
): Promise<object> {
  await change(deps, userId, payload.messageId, {
    action: 'delete',
    text: null,
    scope: payload.scope,
    emojis: [],
    clientRequestId: payload.clientRequestId,
  });
  return {};
}

export async function reactToMessage(
  deps: MessageChangeDeps,
  userId: string,
  payload: MessageReactPayload,
): Promise<{ message: MessageDto }> {
  return changed(
    await change(deps, userId, payload.messageId, {
      action: 'react',
      text: null,
      scope: null,
      emojis: payload.emojis,
      clientRequestId: payload.clientRequestId,
    }),
  );
}
