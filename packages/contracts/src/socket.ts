import type { MessageDto } from './dto.js';
import type { ErrorBody } from './errors.js';
import type { MessageSendPayload } from './validation.js';

/** Every ack has one shape: success with a payload, or a catalogued error. */
export type Ack<T extends object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

export interface ClientToServerEvents {
  /** Ack arrives once the message is stored (or with an error). Resend with the same clientMessageId to retry. */
  'message:send': (
    payload: MessageSendPayload,
    ack: (response: Ack<{ message: MessageDto }>) => void,
  ) => void;
}

export interface ServerToClientEvents {
  /** A stored message in one of your conversations, to every socket of both participants. De-duplicate by id. */
  'message:new': (message: MessageDto) => void;
}

/** `connect_error` data when the handshake is refused. */
export interface ConnectErrorData {
  code: ErrorBody['code'];
}

export const SocketEvents = Object.freeze({
  messageSend: 'message:send',
  messageNew: 'message:new',
} as const);
