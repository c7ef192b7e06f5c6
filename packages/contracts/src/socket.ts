import type { MessageDto, PresenceDto, ReadReceiptDto } from './dto.js';
import type { ErrorBody } from './errors.js';
import type { ConversationReadPayload, MessageSendPayload, PresenceSubscribePayload } from './validation.js';

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
}

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
} as const);
