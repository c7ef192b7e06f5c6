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
  NotificationFailedSchema,
  PresenceConnectionSchema,
  PresenceGatewaySchema,
  RepliedIn24hrFirstSchema,
  TypingChangedSchema,
} from './avro.js';
import { Topics } from './topics.js';

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

export type MessageSent = AvroRecord<typeof MessageSentSchema>;
export type MessagePersisted = AvroRecord<typeof MessagePersistedSchema>;
export type ConversationRead = AvroRecord<typeof ConversationReadSchema>;
export type ConversationReadPersisted = AvroRecord<typeof ConversationReadPersistedSchema>;
export type PresenceConnection = AvroRecord<typeof PresenceConnectionSchema>;
export type PresenceGateway = AvroRecord<typeof PresenceGatewaySchema>;
export type RepliedIn24hrFirst = AvroRecord<typeof RepliedIn24hrFirstSchema>;
export type GroupChange = AvroRecord<typeof GroupChangeSchema>;
export type GroupChangePersisted = AvroRecord<typeof GroupChangePersistedSchema>;
export type MessageDelivered = AvroRecord<typeof MessageDeliveredSchema>;
export type MessageDeliveredPersisted = AvroRecord<typeof MessageDeliveredPersistedSchema>;
export type TypingChanged = AvroRecord<typeof TypingChangedSchema>;
export type ConversationMute = AvroRecord<typeof ConversationMuteSchema>;
export type ConversationMutePersisted = AvroRecord<typeof ConversationMutePersistedSchema>;
export type NotificationFailed = AvroRecord<typeof NotificationFailedSchema>;
export type MessageChange = AvroRecord<typeof MessageChangeSchema>;
export type MessageChangePersisted = AvroRecord<typeof MessageChangePersistedSchema>;

/** Which schema belongs to which topic: the one table producers, consumers and the codec share. */
export const EventCatalog = {
  [Topics.messageSent]: MessageSentSchema,
  [Topics.messagePersisted]: MessagePersistedSchema,
  [Topics.conversationRead]: ConversationReadSchema,
  [Topics.conversationReadPersisted]: ConversationReadPersistedSchema,
  [Topics.presenceConnection]: PresenceConnectionSchema,
  [Topics.presenceGateway]: PresenceGatewaySchema,
  [Topics.repliedIn24hrFirst]: RepliedIn24hrFirstSchema,
  [Topics.groupChange]: GroupChangeSchema,
  [Topics.groupChangePersisted]: GroupChangePersistedSchema,
  [Topics.messageDelivered]: MessageDeliveredSchema,
  [Topics.messageDeliveredPersisted]: MessageDeliveredPersistedSchema,
  [Topics.typingChanged]: TypingChangedSchema,
  [Topics.conversationMute]: ConversationMuteSchema,
  [Topics.conversationMutePersisted]: ConversationMutePersistedSchema,
  [Topics.notificationFailed]: NotificationFailedSchema,
  [Topics.messageChange]: MessageChangeSchema,
  [Topics.messageChangePersisted]: MessageChangePersistedSchema,
} as const;

export type EventTopic = keyof typeof EventCatalog;

/** Each topic's event type, derived from its schema. */
export type EventsByTopic = { [T in EventTopic]: AvroRecord<(typeof EventCatalog)[T]> };

/** The full name (`namespace.name`) of a topic's record schema: what the codec checks a record against. */
export function recordNameOf(topic: EventTopic): string {
  const schema = EventCatalog[topic];
  return `${schema.namespace}.${schema.name}`;
}
