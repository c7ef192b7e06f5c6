import { z } from 'zod';
import { CommandSocketEvents } from './commands.js';
import {
  conversationUpdatedDtoSchema,
  deliveredReceiptDtoSchema,
  messageDtoSchema,
  messageHiddenDtoSchema,
  messageUpdatedDtoSchema,
  presenceDtoSchema,
  typingDtoSchema,
} from './dto.js';
import { type ErrorBody, errorBodySchema } from './errors.js';
import { type Ack, noResult, type SocketEventSpec, type ToClient, type ToServer } from './socket-spec.js';
import { presenceSubscribeSchema, typingSchema } from './validation.js';

/**
 * The Socket.IO events that send no command: their names, what a client sends with them (and what the ack
 * answers), what the server sends with them. The events that send commands are defined with their command, in
 * `Commands`. The key is the event's id in code and the document (`conversation:read` goes both ways under one id).
 */
const OwnSocketEvents = {
  messageNew: {
    event: 'message:new',
    toClient: {
      payload: messageDtoSchema,
      message: 'message',
      summary: 'A stored message, to every socket of every member. De-duplicate by id.',
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
  conversationUpdated: {
    event: 'conversation:updated',
    toClient: {
      payload: conversationUpdatedDtoSchema,
      message: 'update',
      summary: 'A group was created or its members changed: to every member, old and new.',
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
} as const satisfies Record<string, SocketEventSpec>;

/**
 * Every Socket.IO event, once: the command events first, then the others. The typed event maps, `SocketEvents`
 * and the AsyncAPI channels are all built from here.
 */
export const SocketEventTable = Object.freeze({ ...CommandSocketEvents, ...OwnSocketEvents });

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
