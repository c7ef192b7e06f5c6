import type { z } from 'zod';
import type {
  ConversationDto,
  ConversationUpdatedDto,
  DeliveredReceiptDto,
  MessageDto,
  ParticipantDto,
  PresenceDto,
  ReadReceiptDto,
  TypingDto,
} from './dto.js';
import type { ErrorBody } from './errors.js';
import {
  type ConversationMutePayload,
  type ConversationReadPayload,
  type ConversationUnmutePayload,
  conversationMuteSchema,
  conversationReadSchema,
  conversationUnmuteSchema,
  type GroupAddMembersPayload,
  type GroupCreatePayload,
  type GroupRemoveMemberPayload,
  groupAddMembersSchema,
  groupCreateSchema,
  groupRemoveMemberSchema,
  type MessageDeliveredPayload,
  type MessageSendPayload,
  messageDeliveredSchema,
  messageSendSchema,
  type PresenceSubscribePayload,
  presenceSubscribeSchema,
  type TypingPayload,
  typingSchema,
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
  /** Creates a group with the sender as admin; ack after it is stored. Idempotent on clientRequestId. */
  'group:create': (
    payload: GroupCreatePayload,
    ack: (response: Ack<{ conversation: ConversationDto }>) => void,
  ) => void;
  /** Admins only; ack after storage, with the participants after the change. */
  'group:add-members': (
    payload: GroupAddMembersPayload,
    ack: (response: Ack<{ conversationId: string; participants: ParticipantDto[] }>) => void,
  ) => void;
  /** Admins, or any member removing themselves; ack after storage. */
  'group:remove-member': (
    payload: GroupRemoveMemberPayload,
    ack: (response: Ack<{ conversationId: string; participants: ParticipantDto[] }>) => void,
  ) => void;
  /** "This device received the messages up to seq." Ack after the marker is stored. */
  'message:delivered': (
    payload: MessageDeliveredPayload,
    ack: (response: Ack<{ conversationId: string; lastDeliveredSeq: number }>) => void,
  ) => void;
  /** Start or refresh the typing indicator (expires after 5 s without a refresh). Never stored; ack optional. */
  'typing:start': (payload: TypingPayload, ack?: (response: Ack<object>) => void) => void;
  'typing:stop': (payload: TypingPayload, ack?: (response: Ack<object>) => void) => void;
  /** No offline notifications of this conversation for the caller (all devices) until `until`, or until unmuted. Ack once stored. */
  'conversation:mute': (payload: ConversationMutePayload, ack: (response: Ack<object>) => void) => void;
  /** Ends the caller's mute of this conversation. Ack once stored. */
  'conversation:unmute': (payload: ConversationUnmutePayload, ack: (response: Ack<object>) => void) => void;
}

export interface ServerToClientEvents {
  /** A stored message in one of your conversations, to every socket of every member. De-duplicate by id. */
  'message:new': (message: MessageDto) => void;
  'presence:update': (presence: PresenceDto) => void;
  /** A participant's read marker moved: to the other participants and the reader's other devices. */
  'conversation:read': (receipt: ReadReceiptDto) => void;
  /** The token this socket connected with has expired (TOKEN_EXPIRED); the server disconnects right after. */
  'session:expired': (error: ErrorBody) => void;
  /**
   * The server is closing this socket for a reason of the client's making (RATE_LIMITED: it kept sending past
   * its limits); it disconnects right after. Reconnect after `retryAfterMs`.
   */
  'session:closed': (error: ErrorBody) => void;
  /** A group was created or its members changed: to every member, old and new. */
  'conversation:updated': (update: ConversationUpdatedDto) => void;
  /** A member's delivered marker moved: to the other members and the member's other devices. */
  'conversation:delivered': (receipt: DeliveredReceiptDto) => void;
  /** Another member started or stopped typing (or their indicator expired). */
  typing: (typing: TypingDto) => void;
}

export type ClientEvent = keyof ClientToServerEvents;
/** The payload a client sends with event `E`. */
export type ClientPayload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** The ack callback a client passes with event `E`. */
export type ClientAck<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[1];
/** What a successful ack of event `E` carries besides `ok: true`. */
export type AckResult<E extends ClientEvent> =
  NonNullable<ClientAck<E>> extends (response: Ack<infer Result>) => void ? Result : never;

/** The schema that validates each client event's payload: one for every event, so none goes unchecked. */
export const ClientEventSchemas: { readonly [E in ClientEvent]: z.ZodType<ClientPayload<E>> } = {
  'message:send': messageSendSchema,
  'presence:subscribe': presenceSubscribeSchema,
  'presence:unsubscribe': presenceSubscribeSchema,
  'conversation:read': conversationReadSchema,
  'group:create': groupCreateSchema,
  'group:add-members': groupAddMembersSchema,
  'group:remove-member': groupRemoveMemberSchema,
  'message:delivered': messageDeliveredSchema,
  'typing:start': typingSchema,
  'typing:stop': typingSchema,
  'conversation:mute': conversationMuteSchema,
  'conversation:unmute': conversationUnmuteSchema,
};

/** `connect_error` data when the handshake is refused. */
export interface ConnectErrorData {
  code: ErrorBody['code'];
  /** For RATE_LIMITED: how long to wait before connecting again. */
  retryAfterMs?: number;
}

export const SocketEvents = Object.freeze({
  messageSend: 'message:send',
  messageNew: 'message:new',
  presenceSubscribe: 'presence:subscribe',
  presenceUnsubscribe: 'presence:unsubscribe',
  presenceUpdate: 'presence:update',
  conversationRead: 'conversation:read',
  sessionExpired: 'session:expired',
  sessionClosed: 'session:closed',
  groupCreate: 'group:create',
  groupAddMembers: 'group:add-members',
  groupRemoveMember: 'group:remove-member',
  conversationUpdated: 'conversation:updated',
  messageDelivered: 'message:delivered',
  conversationDelivered: 'conversation:delivered',
  typingStart: 'typing:start',
  typingStop: 'typing:stop',
  typing: 'typing',
  conversationMute: 'conversation:mute',
  conversationUnmute: 'conversation:unmute',
} as const);
