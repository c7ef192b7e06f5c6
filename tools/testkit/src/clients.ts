import { randomUUID } from 'node:crypto';
import type { Ack, ClientEvent, ConversationDto, MessageDto, MessageSendPayload } from '@chat/contracts';
import type { ChatClient } from '@chat/harness';

export type SendAck = Ack<{ message: MessageDto }>;

/** Emits `message:send` and resolves with the ack (rejects if none arrives within `timeoutMs`). */
export function sendMessage(client: ChatClient, payload: unknown, timeoutMs = 20_000): Promise<SendAck> {
  return client.timeout(timeoutMs).emitWithAck('message:send', payload as MessageSendPayload);
}

/** Sends and expects success; returns the stored message. */
export async function sendStored(
  client: ChatClient,
  otherUserId: string,
  text: string,
  clientMessageId: string = randomUUID(),
): Promise<MessageDto> {
  const ack = await sendMessage(client, { clientMessageId, otherUserId, text });
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack.error)}`);
  return ack.message;
}

/** What a well-behaved client does: resend with the same clientMessageId until the server confirms it stored. */
export async function sendUntilStored(
  client: ChatClient,
  payload: MessageSendPayload,
  options: { attempts?: number; ackTimeoutMs?: number } = {},
): Promise<{ message: MessageDto; attempts: number }> {
  const attempts = options.attempts ?? 20;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ack = await sendMessage(client, payload, options.ackTimeoutMs ?? 20_000).catch(() => undefined);
    if (ack?.ok) return { message: ack.message, attempts: attempt };
    if (ack && ack.error.code !== 'UNAVAILABLE')
      throw new Error(`send refused: ${JSON.stringify(ack.error)}`);
  }
  throw new Error(`message ${payload.clientMessageId} was not stored after ${attempts} attempts`);
}

/** Resolves with the next `message:new` that matches. */
export function nextMessage(client: ChatClient, predicate: (message: MessageDto) => boolean = () => true) {
  return new Promise<MessageDto>((resolve) => {
    const listener = (message: MessageDto) => {
      if (!predicate(message)) return;
      client.off('message:new', listener);
      resolve(message);
    };
    client.on('message:new', listener);
  });
}

/** Emits any client event with an ack, whatever its payload (invalid ones included), and resolves with the ack. */
export function emitWithAck<T extends object>(
  client: ChatClient,
  event: ClientEvent,
  payload: unknown,
  timeoutMs = 15_000,
): Promise<Ack<T>> {
  return (client.timeout(timeoutMs) as unknown as ChatClient).emitWithAck(
    event as 'message:send',
    payload as never,
  ) as unknown as Promise<Ack<T>>;
}

/** Creates a group named "team" with the client's user as admin; returns the stored conversation. */
export async function createGroup(
  client: ChatClient,
  memberIds: string[],
  clientRequestId: string = randomUUID(),
): Promise<ConversationDto> {
  const ack = await emitWithAck<{ conversation: ConversationDto }>(client, 'group:create', {
    clientRequestId,
    name: 'team',
    memberIds,
  });
  if (!ack.ok) throw new Error(`create failed: ${JSON.stringify(ack.error)}`);
  return ack.conversation;
}
