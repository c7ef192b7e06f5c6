import { z } from 'zod';
import {
  conversationDtoSchema,
  conversationUpdatedDtoSchema,
  deliveredReceiptDtoSchema,
  messageDtoSchema,
  messageHiddenDtoSchema,
  messageUpdatedDtoSchema,
  participantDtoSchema,
  presenceDtoSchema,
  readReceiptDtoSchema,
  typingDtoSchema,
} from './dto.js';
import { type ErrorBody, errorBodySchema } from './errors.js';
import {
  conversationMuteSchema,
  conversationReadSchema,
  conversationUnmuteSchema,
  groupAddMembersSchema,
  groupCreateSchema,
  groupRemoveMemberSchema,
  messageDeleteSchema,
  messageDeliveredSchema,
  messageEditSchema,
  messageReactSchema,
  messageSendSchema,
  presenceSubscribeSchema,
  typingSchema,
} from './validation.js';

/** Every ack has one shape: success with a payload, or a catalogued error. */
export type Ack<T extends object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

/** The zod schema of an ack whose success carries `result`: what the AsyncAPI document describes. */
export function ackSchema(result: z.ZodObject) {
  return z.union([
    z.strictObject({ ok: z.literal(true) }).extend(result.shape),
    z.strictObject({ ok: z.literal(false), error: errorBodySchema }),
  ]);
}

/** An entry of the event table. */
export interface SocketEventSpec {
  event: string;
  toServer?: ToServer;
  toClient?: ToClient;
}

/** A client event: its payload's schema, what its ack carries on success, and what the documents say of it. */
export interface ToServer {
  payload: z.ZodType;
  ack: z.ZodObject;
  /** Acks that clients may leave out (the event is a hint; a failure is only logged). */
  ackOptional?: true;
  summary?: string;
  ackSummary?: string;
}

/** A server event: its payload, and the id of its message in the AsyncAPI channel. */
export interface ToClient {
  payload: z.ZodType;
  message: 'message' | 'update' | 'receipt' | 'notice';
  summary?: string;
}

const noResult = z.strictObject({});
const groupMembers = z.strictObject({
  conversationId: z.string(),
  participants: z.array(participantDtoSchema),
});

/**
 * Every Socket.IO event, once: its name, what a client sends with it (and what the ack answers), what the
 * server sends with it. The typed event maps, `SocketEvents` and the AsyncAPI channels are all built from here.
 * The key is the event's id in code and the document (`conversation:read` goes both ways under one id).
 */
export const SocketEventTable = {
  messageSend: {
    event: 'message:send',
    toServer: {
      payload: messageSendSchema,
      ack: z.strictObject({ message: messageDtoSchema }),
      summary:
        'Send a message: to otherUserId (1-1) or to conversationId (a group, or a 1-1 conversation); resend with the same clientMessageId to retry.',
      ackSummary: 'Only once the message is stored.',
    },
  },
  messageNew: {
    event: 'message:new',
    toClient: {
      payload: messageDtoSchema,
      message: 'message',
      summary: 'A stored message, to every socket of every member. De-duplicate by id.',
    },
  },
  messageEdit: {
    event: 'message:edit',
    toServer: {
      payload: messageEditSchema,
      ack: z.strictObject({ message: messageDtoSchema }),
      summary: 'Edit your own message within EDIT_WINDOW_SECONDS of sending; idempotent on clientRequestId.',
      ackSummary: 'Once the new version is stored.',
    },
  },
  messageDelete: {
    event: 'message:delete',
    toServer: {
      payload: messageDeleteSchema,
      ack: noResult,
      summary:
        'Delete a message for everyone (its sender, or a group admin) or for yourself only (any member).',
      ackSummary: 'Once the deletion is stored.',
    },
  },
  messageReact: {
    event: 'message:react',
    toServer: {
      payload: messageReactSchema,
      ack: z.strictObject({ message: messageDtoSchema }),
      summary: 'Set your whole set of reactions on a message; [] clears it.',
      ackSummary: 'Once the reactions are stored.',
    },
  },
  messageUpdated: {
    event: 'message:updated',
    toClient: {
      payload: messageUpdatedDtoSchema,
      message: 'update',
      summary:
        'A message was edited, deleted for everyone or its reactions changed: to every socket of every member. Keep the snapshot with the highest changeSeq.',
    },
  },
  messageHidden: {
    event: 'message:hidden',
    toClient: {
      payload: messageHiddenDtoSchema,
      message: 'update',
      summary: 'You deleted this message for yourself: to your own sockets only.',
    },
  },
  presenceSubscribe: {
    event: 'presence:subscribe',
    toServer: {
      payload: presenceSubscribeSchema,
      ack: z.strictObject({ presence: z.array(presenceDtoSchema) }),
      summary: 'Current presence of each id; from then on presence:update whenever one changes.',
    },
  },
  presenceUnsubscribe: {
    event: 'presence:unsubscribe',
    toServer: { payload: presenceSubscribeSchema, ack: noResult },
  },
  presenceUpdate: {
    event: 'presence:update',
    toClient: { payload: presenceDtoSchema, message: 'update' },
  },
  conversationRead: {
    event: 'conversation:read',
    toServer: {
      payload: conversationReadSchema,
      ack: z.strictObject({ conversationId: z.string(), lastReadAt: z.iso.datetime() }),
      summary: 'I opened this conversation (named by otherUserId or conversationId) now, or at readAt.',
    },
    toClient: {
      payload: readReceiptDtoSchema,
      message: 'receipt',
      summary: "A participant's read marker moved: to the other participants and the reader's other devices.",
    },
  },
  sessionExpired: {
    event: 'session:expired',
    toClient: {
      payload: errorBodySchema,
      message: 'notice',
      summary: "The socket's token reached its exp (TOKEN_EXPIRED); the server disconnects right after.",
    },
  },
  sessionClosed: {
    event: 'session:closed',
    toClient: {
      payload: errorBodySchema,
      message: 'notice',
      summary:
        'The socket kept sending past RATE_LIMITED; the server disconnects right after. Reconnect after retryAfterMs.',
    },
  },
  groupCreate: {
    event: 'group:create',
    toServer: {
      payload: groupCreateSchema,
      ack: z.strictObject({ conversation: conversationDtoSchema }),
      summary: 'Create a group with the sender as admin; idempotent on clientRequestId.',
      ackSummary: 'Once the group is stored.',
    },
  },
  groupAddMembers: {
    event: 'group:add-members',
    toServer: {
      payload: groupAddMembersSchema,
      ack: groupMembers,
      summary: 'Admins only.',
      ackSummary: 'Once the change is stored, with the participants after it.',
    },
  },
  groupRemoveMember: {
    event: 'group:remove-member',
    toServer: {
      payload: groupRemoveMemberSchema,
      ack: groupMembers,
      summary: 'Admins, or a member removing themselves.',
    },
  },
  conversationUpdated: {
    event: 'conversation:updated',
    toClient: {
      payload: conversationUpdatedDtoSchema,
      message: 'update',
      summary: 'A group was created or its members changed: to every member, old and new.',
    },
  },
  messageDelivered: {
    event: 'message:delivered',
    toServer: {
      payload: messageDeliveredSchema,
      ack: z.strictObject({ conversationId: z.string(), lastDeliveredSeq: z.int().min(0) }),
      summary: 'The messages up to seq reached this device.',
    },
  },
  conversationDelivered: {
    event: 'conversation:delivered',
    toClient: {
      payload: deliveredReceiptDtoSchema,
      message: 'receipt',
      summary: "A member's delivered marker moved: to the other members and the member's other devices.",
    },
  },
  typingStart: {
    event: 'typing:start',
    toServer: {
      payload: typingSchema,
      ack: noResult,
      ackOptional: true,
      summary: 'Start or refresh the typing indicator (expires 5 s after the last one); the ack is optional.',
    },
  },
  typingStop: {
    event: 'typing:stop',
    toServer: {
      payload: typingSchema,
      ack: noResult,
      ackOptional: true,
      summary: 'Stop the typing indicator; the ack is optional.',
    },
  },
  typing: {
    event: 'typing',
    toClient: {
      payload: typingDtoSchema,
      message: 'update',
      summary: 'Another member started or stopped typing, or their indicator expired.',
    },
  },
  conversationMute: {
    event: 'conversation:mute',
    toServer: {
      payload: conversationMuteSchema,
      ack: noResult,
      summary:
        'No offline notifications of this conversation for the caller (all devices) until `until`, or until unmuted (null).',
      ackSummary: 'Once the mute is stored.',
    },
  },
  conversationUnmute: {
    event: 'conversation:unmute',
    toServer: {
      payload: conversationUnmuteSchema,
      ack: noResult,
      summary: "Ends the caller's mute of this conversation.",
      ackSummary: 'Once the unmute is stored.',
    },
  },
} as const satisfies Record<string, SocketEventSpec>;

type Table = typeof SocketEventTable;
type EventId = keyof Table;

/** Each event's name by its id. */
export const SocketEvents = Object.freeze(
  Object.fromEntries(Object.entries(SocketEventTable).map(([id, entry]) => [id, entry.event])),
) as { readonly [Id in EventId]: Table[Id]['event'] };

type ToServerOf<Id extends EventId> = Table[Id] extends { toServer: infer Spec extends ToServer }
  ? Spec
  : never;
type ToClientOf<Id extends EventId> = Table[Id] extends { toClient: infer Spec extends ToClient }
  ? Spec
  : never;

/** What an ack of `Spec` carries besides `ok: true`; an empty object schema carries nothing. */
type AckResultOf<Spec extends ToServer> = keyof Spec['ack']['shape'] extends never
  ? object
  : z.infer<Spec['ack']>;

type ClientListener<Spec extends ToServer> = Spec extends { ackOptional: true }
  ? (payload: z.infer<Spec['payload']>, ack?: (response: Ack<AckResultOf<Spec>>) => void) => void
  : (payload: z.infer<Spec['payload']>, ack: (response: Ack<AckResultOf<Spec>>) => void) => void;

/** What clients send, typed from the table: Socket.IO's first generic parameter on the server. */
export type ClientToServerEvents = {
  [Id in EventId as ToServerOf<Id> extends never ? never : Table[Id]['event']]: ClientListener<
    ToServerOf<Id>
  >;
};

/** What the server sends, typed from the table. */
export type ServerToClientEvents = {
  [Id in EventId as ToClientOf<Id> extends never ? never : Table[Id]['event']]: (
    payload: z.infer<ToClientOf<Id>['payload']>,
  ) => void;
};

export type ClientEvent = keyof ClientToServerEvents;
/** The payload a client sends with event `E`. */
export type ClientPayload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** The ack callback a client passes with event `E`. */
export type ClientAck<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[1];
/** What a successful ack of event `E` carries besides `ok: true`. */
export type AckResult<E extends ClientEvent> =
  NonNullable<ClientAck<E>> extends (response: Ack<infer Result>) => void ? Result : never;

const clientEvents = Object.values(SocketEventTable as Record<string, SocketEventSpec>).flatMap(
  ({ event, toServer }) => (toServer ? [{ event: event as ClientEvent, ...toServer }] : []),
);

/** The schema that validates each client event's payload: one for every event, so none goes unchecked. */
export const ClientEventSchemas = Object.fromEntries(
  clientEvents.map(({ event, payload }) => [event, payload]),
) as Record<ClientEvent, z.ZodType> as { readonly [E in ClientEvent]: z.ZodType<ClientPayload<E>> };

/** The client events whose ack callback clients may leave out. */
export const AckOptionalEvents: ReadonlySet<ClientEvent> = new Set(
  clientEvents.filter(({ ackOptional }) => ackOptional).map(({ event }) => event),
);

/** `connect_error` data when the handshake is refused. */
export interface ConnectErrorData {
  code: ErrorBody['code'];
  /** For RATE_LIMITED: how long to wait before connecting again. */
  retryAfterMs?: number;
}
