import { commandSchemas } from './commands.js';
import { Facts } from './topics.js';

/** Flattens an intersection of object types into one, for readable types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** An Avro record schema of a topic, as written in avro.ts: its full name is `namespace.name`. */
export interface RecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly doc: string;
  readonly fields: readonly { readonly name: string; readonly type: unknown }[];
}

/**
 * The TypeScript value of an Avro type, as avsc reads and writes it. Only the types our schemas use are mapped;
 * any other yields `never`, so a schema field of a new kind breaks the build until it is mapped here.
 * `long` (also with `timestamp-millis`, epoch milliseconds) is a JavaScript number; a `['null', X]` union is
 * `X | null` (avsc unwraps it); an enum is the union of its symbols; an array and a nested record as expected.
 */
type AvroValue<T> = T extends 'string'
  ? string
  : T extends 'long' | 'int' | 'double' | 'float'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends { type: infer Inner; logicalType: 'timestamp-millis' }
        ? AvroValue<Inner>
        : T extends readonly ['null', infer Inner]
          ? AvroValue<Inner> | null
          : T extends { type: 'enum'; symbols: readonly (infer Symbol)[] }
            ? Symbol
            : T extends { type: 'array'; items: infer Item }
              ? AvroValue<Item>[]
              : T extends { type: 'record'; fields: readonly { name: string; type: unknown }[] }
                ? AvroRecord<T>
                : never;

/** The event type of an Avro record schema: one property per field, derived, never written out by hand. */
export type AvroRecord<S extends { fields: readonly { name: string; type: unknown }[] }> = {
  -readonly [F in S['fields'][number] as F['name']]: AvroValue<F['type']>;
};

/** Which schema belongs to which topic: the one table producers, consumers and the codec share. */
export const EventCatalog = Object.freeze({
  ...commandSchemas,
  ...Object.fromEntries(Object.values(Facts).map(({ topic, schema }) => [topic, schema])),
}) as Simplify<
  typeof commandSchemas & {
    [F in keyof typeof Facts as (typeof Facts)[F]['topic']]: (typeof Facts)[F]['schema'];
  }
>;

export type EventTopic = keyof typeof EventCatalog;

/** Each topic's event type, derived from its schema. */
export type EventsByTopic = { [T in EventTopic]: AvroRecord<(typeof EventCatalog)[T]> };

export type MessageSent = EventsByTopic['message.sent'];
export type MessagePersisted = EventsByTopic['message.persisted'];
export type ConversationRead = EventsByTopic['conversation.read'];
export type ConversationReadPersisted = EventsByTopic['conversation.read.persisted'];
export type PresenceConnection = EventsByTopic['presence.connection'];
export type PresenceGateway = EventsByTopic['presence.gateway'];
export type RepliedIn24hrFirst = EventsByTopic['replied.in.24hr.first'];
export type GroupChange = EventsByTopic['group.change'];
export type GroupChangePersisted = EventsByTopic['group.change.persisted'];
export type MessageDelivered = EventsByTopic['message.delivered'];
export type MessageDeliveredPersisted = EventsByTopic['message.delivered.persisted'];
export type TypingChanged = EventsByTopic['typing.changed'];
export type ConversationMute = EventsByTopic['conversation.mute'];
export type ConversationMutePersisted = EventsByTopic['conversation.mute.persisted'];
export type NotificationFailed = EventsByTopic['notification.failed'];
export type MessageChange = EventsByTopic['message.change'];
export type MessageChangePersisted = EventsByTopic['message.change.persisted'];

/** The full name (`namespace.name`) of a topic's record schema: what the codec checks a record against. */
export function recordNameOf(topic: EventTopic): string {
  const schema = EventCatalog[topic];
  return `${schema.namespace}.${schema.name}`;
}
