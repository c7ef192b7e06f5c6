import type { ErrorMessageKey } from './errors.js';
import type { EventsByTopic } from './events.js';
import { type TopicName, Topics } from './topics.js';

/** The names of a record's string fields. */
type StringField<R> = { [F in keyof R]: R[F] extends string ? F : never }[keyof R];

/**
 * Every command the gateway sends and waits on, defined once: the fact that answers it (carrying the command's
 * `correlation-id` header back), what a request that waited in vain is told, and the field both records are
 * keyed by (so a command and its answer share a partition's order). Adding a command is an entry here, its Avro
 * schema in avro.ts, and a handler in the persister.
 */
export const Requests = Object.freeze({
  [Topics.messageSent]: {
    answer: Topics.messagePersisted,
    timeout: 'sendNotConfirmed',
    key: 'conversationId',
  },
  [Topics.conversationRead]: {
    answer: Topics.conversationReadPersisted,
    timeout: 'readNotConfirmed',
    key: 'conversationId',
  },
  [Topics.messageDelivered]: {
    answer: Topics.messageDeliveredPersisted,
    timeout: 'deliveredNotConfirmed',
    key: 'conversationId',
  },
  [Topics.groupChange]: {
    answer: Topics.groupChangePersisted,
    timeout: 'groupChangeNotConfirmed',
    key: 'conversationId',
  },
  [Topics.conversationMute]: {
    answer: Topics.conversationMutePersisted,
    timeout: 'muteNotConfirmed',
    key: 'conversationId',
  },
  // Edits, deletions and reactions share one topic: a conversation's changes are numbered (changeSeq) in the
  // order one persister applies them, which one partition of one topic gives.
  [Topics.messageChange]: {
    answer: Topics.messageChangePersisted,
    timeout: 'changeNotConfirmed',
    key: 'conversationId',
  },
} as const satisfies {
  [C in keyof EventsByTopic]?: {
    answer: TopicName;
    timeout: ErrorMessageKey;
    key: StringField<EventsByTopic[C]>;
  };
});

/** A topic whose records are commands answered by a fact. */
export type CommandTopic = keyof typeof Requests;
/** The topic of the fact that answers a command of `C`. */
export type AnswerTopic<C extends CommandTopic> = (typeof Requests)[C]['answer'];
/** The fact that answers a command of `C`. */
export type AnswerOf<C extends CommandTopic> = EventsByTopic[AnswerTopic<C>];

/** The key of a command's record (its answer is keyed the same). */
export function commandKey<C extends CommandTopic>(topic: C, command: EventsByTopic[C]): string {
  // Every command names the field its key is taken from; the table's `satisfies` keeps that field a string.
  return (command as unknown as Record<string, string>)[Requests[topic].key] as string;
}

/** Topics that carry a `correlation-id` header: the commands and the facts that answer them. */
export const CorrelatedTopics: ReadonlySet<TopicName> = new Set(
  Object.entries(Requests).flatMap(([command, { answer }]) => [command as TopicName, answer]),
);
