import { z } from 'zod';
import {
  ConversationMutePersistedSchema,
  ConversationMuteSchema,
  ConversationReadPersistedSchema,
  ConversationReadSchema,
  GroupChangePersistedSchema,
  GroupChangeSchema,
  MessageChangePersistedSchema,
  MessageChangeSchema,
  MessageDeliveredPersistedSchema,
  MessageDeliveredSchema,
  MessagePersistedSchema,
  MessageSentSchema,
} from './avro.js';
import {
  conversationDtoSchema,
  messageDtoSchema,
  participantDtoSchema,
  readReceiptDtoSchema,
} from './dto.js';
import type { ErrorMessageKey } from './errors.js';
import type { AvroRecord, EventsByTopic, RecordSchema, Simplify } from './events.js';
import { noResult, type SocketEventSpec } from './socket-spec.js';
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
} from './validation.js';

/** The names of a record's string fields. */
type StringField<R> = { [F in keyof R]: R[F] extends string ? F : never }[keyof R];

type NoSocketEvents = Record<never, SocketEventSpec>;

/** One command the gateway sends and waits on, and the fact that answers it. */
export interface CommandSpec<
  Topic extends string,
  Schema extends RecordSchema,
  AnswerId extends string,
  AnswerTopic extends string,
  AnswerSchema extends RecordSchema,
  Key extends StringField<AvroRecord<Schema>>,
  Socket extends Record<string, SocketEventSpec>,
> {
  /** The command's topic (its id in `Topics` is the entry's key) and its Avro schema, registered as `<topic>-value`. */
  topic: Topic;
  schema: Schema;
  /** The fact that answers it, carrying the command's `correlation-id` header back: its id in `Topics`, topic, schema. */
  answer: { id: AnswerId; topic: AnswerTopic; schema: AnswerSchema };
  /** What a request that waited in vain for its answer is told. */
  timeout: ErrorMessageKey;
  /** The field both records are keyed by, so a command and its answer share a partition's order. */
  key: Key;
  /**
   * Who is told of the answer: the users whose sockets get it. The persister routes it to the gateways holding
   * them (and to the gateway that sent the command, which answers its requester whatever this says).
   */
  audience: (fact: AvroRecord<AnswerSchema>) => string[];
  /** The socket events a client sends it with, by their id in the socket event table. */
  socket?: Socket;
}

/**
 * An entry of `Commands`. A function rather than a bare object so that TypeScript reads the answer's schema
 * first and types the audience's `fact` from it: an entry without an audience, or whose audience reads a field
 * its fact does not have, does not compile.
 */
export function defineCommand<
  const Topic extends string,
  const Schema extends RecordSchema,
  const AnswerId extends string,
  const AnswerTopic extends string,
  const AnswerSchema extends RecordSchema,
  const Key extends StringField<AvroRecord<Schema>>,
  const Socket extends Record<string, SocketEventSpec> = NoSocketEvents,
>(spec: CommandSpec<Topic, Schema, AnswerId, AnswerTopic, AnswerSchema, Key, Socket>) {
  return { ...spec, socket: spec.socket ?? ({} as Socket) };
}

const groupMembers = z.strictObject({
  conversationId: z.string(),
  participants: z.array(participantDtoSchema),
});

/**
 * Every command, defined once: its topic and Avro schema, the fact that answers it, the timeout's message, the
 * key, who is told of the answer, and the socket events that send it. `Topics`, the event catalogue, the socket
 * event table, `CommandsByTopic`, the audiences and the AsyncAPI channels are all derived from here; facts that
 * answer no command are in `Facts` (topics.ts). Each command is produced by the gateway and consumed by the
 * persister; each answer is read by the gateways it is delivered to and by downstream consumers of its topic.
 */
export const Commands = Object.freeze({
  /** Store this message; the fact: it is stored (published again when a resend is deduplicated). */
  messageSent: defineCommand({
    topic: 'message.sent',
    schema: MessageSentSchema,
    answer: { id: 'messagePersisted', topic: 'message.persisted', schema: MessagePersistedSchema },
    timeout: 'sendNotConfirmed',
    key: 'conversationId',
    // A group's members are exactly those the persister stored the message for.
    audience: (fact) => (fact.recipientId === null ? fact.memberIds : [fact.senderId, fact.recipientId]),
    socket: {
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
    },
  }),
  /** The reader opened this conversation now; the fact: the read marker moved (or stayed, if already later). */
  conversationRead: defineCommand({
    topic: 'conversation.read',
    schema: ConversationReadSchema,
    answer: {
      id: 'conversationReadPersisted',
      topic: 'conversation.read.persisted',
      schema: ConversationReadPersistedSchema,
    },
    timeout: 'readNotConfirmed',
    key: 'conversationId',
    audience: (fact) => [fact.readerId, ...fact.memberIds, ...(fact.otherUserId ? [fact.otherUserId] : [])],
    socket: {
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
          summary:
            "A participant's read marker moved: to the other participants and the reader's other devices.",
        },
      },
    },
  }),
  /** Create a group, add members, remove one; the fact: the change stored (or refused), with the participants after it. */
  groupChange: defineCommand({
    topic: 'group.change',
    schema: GroupChangeSchema,
    answer: {
      id: 'groupChangePersisted',
      topic: 'group.change.persisted',
      schema: GroupChangePersistedSchema,
    },
    timeout: 'groupChangeNotConfirmed',
    key: 'conversationId',
    // A refusal, or a change that changed nothing, concerns only its requester (answered through its gateway).
    audience: (fact) =>
      fact.refusal !== null || (fact.action !== 'create' && fact.userIds.length === 0)
        ? []
        : [
            ...fact.participants.map((participant) => participant.userId),
            ...(fact.action === 'remove' ? fact.userIds : []),
          ],
    socket: {
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
    },
  }),
  /** A member's device received messages up to a seq; the fact: the delivered marker as stored. */
  messageDelivered: defineCommand({
    topic: 'message.delivered',
    schema: MessageDeliveredSchema,
    answer: {
      id: 'messageDeliveredPersisted',
      topic: 'message.delivered.persisted',
      schema: MessageDeliveredPersistedSchema,
    },
    timeout: 'deliveredNotConfirmed',
    key: 'conversationId',
    audience: (fact) => fact.memberIds,
    socket: {
      messageDelivered: {
        event: 'message:delivered',
        toServer: {
          payload: messageDeliveredSchema,
          ack: z.strictObject({ conversationId: z.string(), lastDeliveredSeq: z.int().min(0) }),
          summary: 'The messages up to seq reached this device.',
        },
      },
    },
  }),
  /**
   * Edit a message, delete it (for everyone or for the actor), set the actor's reactions on it; the fact: the
   * change as stored (or refused). The three share one topic: a conversation's changes are numbered (changeSeq)
   * in the order one persister applies them, which one partition of one topic gives.
   */
  messageChange: defineCommand({
    topic: 'message.change',
    schema: MessageChangeSchema,
    answer: {
      id: 'messageChangePersisted',
      topic: 'message.change.persisted',
      schema: MessageChangePersistedSchema,
    },
    timeout: 'changeNotConfirmed',
    key: 'conversationId',
    // A deletion for the actor alone goes to their own sockets; any other change to every member of the time of
    // each message it changed (a deletion empties the quotes of the replies, which are told too).
    audience: (fact) =>
      fact.refusal !== null
        ? []
        : fact.scope === 'me'
          ? [fact.actorId]
          : fact.messages.flatMap((message) => message.memberIds),
    socket: {
      messageEdit: {
        event: 'message:edit',
        toServer: {
          payload: messageEditSchema,
          ack: z.strictObject({ message: messageDtoSchema }),
          summary:
            'Edit your own message within EDIT_WINDOW_SECONDS of sending; idempotent on clientRequestId.',
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
    },
  }),
  /** Mute a conversation for one member (until a time, or until unmuted), or unmute it; the fact: the mute as stored. */
  conversationMute: defineCommand({
    topic: 'conversation.mute',
    schema: ConversationMuteSchema,
    answer: {
      id: 'conversationMutePersisted',
      topic: 'conversation.mute.persisted',
      schema: ConversationMutePersistedSchema,
    },
    timeout: 'muteNotConfirmed',
    key: 'conversationId',
    // Only its requester is answered; the user's other devices see the mute on the conversation object.
    audience: () => [],
    socket: {
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
    },
  }),
});

type CommandTable = typeof Commands;
type CommandId = keyof CommandTable;

/** The commands by their topic: what the gateway's requests and the persister's answers look up. */
type ByTopic = { [Id in CommandId as CommandTable[Id]['topic']]: CommandTable[Id] };
export const CommandsByTopic = Object.freeze(
  Object.fromEntries(Object.values(Commands).map((spec) => [spec.topic, spec])),
) as Readonly<ByTopic>;

/** A topic whose records are commands answered by a fact. */
export type CommandTopic = keyof ByTopic;
/** The topic of the fact that answers a command of `C`. */
export type AnswerTopic<C extends CommandTopic> = ByTopic[C]['answer']['topic'];
/** The fact that answers a command of `C`. */
export type AnswerOf<C extends CommandTopic> = EventsByTopic[AnswerTopic<C>];
/** A fact that answers a command: the facts delivered to users' sockets. */
export type DeliveredFact = AnswerTopic<CommandTopic>;

/** The key of a command's record (its answer is keyed the same). */
export function commandKey<C extends CommandTopic>(topic: C, command: EventsByTopic[C]): string {
  // Every command names the field its key is taken from; `defineCommand` keeps that field a string.
  return (command as unknown as Record<string, string>)[CommandsByTopic[topic].key] as string;
}

const audiences = new Map<string, (fact: never) => string[]>(
  Object.values(Commands).map((spec) => [spec.answer.topic, spec.audience]),
);

/** The users told of `fact`, without repeats. */
export function audienceOf<T extends DeliveredFact>(topic: T, fact: EventsByTopic[T]): string[] {
  // Each answer topic is paired with its own entry's audience, which takes that topic's fact.
  const audience = audiences.get(topic) as (fact: EventsByTopic[T]) => string[];
  return [...new Set(audience(fact))];
}

/** Topics that carry a `correlation-id` header: the commands and the facts that answer them. */
export const CorrelatedTopics: ReadonlySet<string> = new Set(
  Object.values(Commands).flatMap((spec) => [spec.topic, spec.answer.topic]),
);

type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (
  intersection: infer I,
) => void
  ? I
  : never;

/** The socket events that send commands, by id: part of the socket event table. */
export type CommandSocketEvents = Simplify<
  UnionToIntersection<{ [Id in CommandId]: CommandTable[Id]['socket'] }[CommandId]>
>;
export const CommandSocketEvents = Object.assign(
  {},
  ...Object.values(Commands).map((spec) => spec.socket),
) as CommandSocketEvents;

/** Each command's id in `Topics`, and its answer's. */
export type CommandTopicIds = { readonly [Id in CommandId]: CommandTable[Id]['topic'] } & {
  readonly [Id in CommandId as CommandTable[Id]['answer']['id']]: CommandTable[Id]['answer']['topic'];
};
export const commandTopicIds = Object.fromEntries(
  Object.entries(Commands).flatMap(([id, spec]) => [
    [id, spec.topic],
    [spec.answer.id, spec.answer.topic],
  ]),
) as CommandTopicIds;

/** Each command's and answer's Avro schema, by topic: its part of the event catalogue. */
export type CommandSchemas = {
  [Id in CommandId as CommandTable[Id]['topic']]: CommandTable[Id]['schema'];
} & {
  [Id in CommandId as CommandTable[Id]['answer']['topic']]: CommandTable[Id]['answer']['schema'];
};
export const commandSchemas = Object.fromEntries(
  Object.values(Commands).flatMap((spec) => [
    [spec.topic, spec.schema],
    [spec.answer.topic, spec.answer.schema],
  ]),
) as CommandSchemas;
