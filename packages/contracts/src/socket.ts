import type { z } from 'zod';
import type { MessageDto, PresenceDto, ReadReceiptDto } from './dto.js';
import type { ErrorBody } from './errors.js';
import {
  type ConversationReadPayload,
  conversationReadSchema,
  type MessageSendPayload,
  messageSendSchema,
  type PresenceSubscribePayload,
  presenceSubscribeSchema,
} from './validation.js';

/** Every ack has one shape: success with a payload, or a catalogued error. */
export type Ack<T extends object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

export interface ClientToServerEvents {
  /** Ack arrives once the message is stored (or with an error). Resend with the same clientMessageId to retry. */
  'message:send': (
    payload: MessageSendPayload,
    ack: (response: Ack<{ message: MessageDto }>) => void,
  ) => void;
  /** Current presence of each id; from then on `presence:update` whenever one changes. */
  'presence:subscribe': (
    payload: PresenceSubscribePayload,
    ack: (response: Ack<{ presence: PresenceDto[] }>) => void,
  ) => void;
  'presence:unsubscribe': (payload: PresenceSubscribePayload, ack: (response: Ack<object>) => void) => void;
  /** "I opened this chat now." Ack after the marker is stored. */
  'conversation:read': (
    payload: ConversationReadPayload,
    ack: (response: Ack<{ conversationId: string; lastReadAt: string }>) => void,
  ) => void;
}

export interface ServerToClientEvents {
  /** A stored message in one of your conversations, to every socket of both participants. De-duplicate by id. */
  'message:new': (message: MessageDto) => void;
  'presence:update': (presence: PresenceDto) => void;
  /** A participant's read marker moved: to the other participant and the reader's other devices. */
  'conversation:read': (receipt: ReadReceiptDto) => void;
  /** The token this socket connected with has expired (TOKEN_EXPIRED); the server disconnects right after. */
  'session:expired': (error: ErrorBody) => void;
}

export type ClientEvent = keyof ClientToServerEvents;
/** The payload a client sends with event `E`. */
export type ClientPayload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** The ack callback a client passes with event `E`. */
export type ClientAck<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[1];
/** What a successful ack of event `E` carries besides `ok: true`. */
export type AckResult<E extends ClientEvent> =
  ClientAck<E> extends (response: Ack<infer Result>) => void ? Result : never;

/** The schema that validates each client event's payload: one for every event, so none goes unchecked. */
export const ClientEventSchemas: { readonly [E in ClientEvent]: z.ZodType<ClientPayload<E>> } = {
  'message:send': messageSendSchema,
  'presence:subscribe': presenceSubscribeSchema,
  'presence:unsubscribe': presenceSubscribeSchema,
  'conversation:read': conversationReadSchema,
};

/** `connect_error` data when the handshake is refused. */
export interface ConnectErrorData {
  code: ErrorBody['code'];
}

export const SocketEvents = Object.freeze({
  messageSend: 'message:send',
  messageNew: 'message:new',
  presenceSubscribe: 'presence:subscribe',
  presenceUnsubscribe: 'presence:unsubscribe',
  presenceUpdate: 'presence:update',
  conversationRead: 'conversation:read',
  sessionExpired: 'session:expired',
} as const);
