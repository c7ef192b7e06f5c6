import avro from 'avsc';

/**
 * Avro schemas of every event, registered in the schema registry under the subject `<topic>-value`.
 * Times are epoch milliseconds (`timestamp-millis`), so every language reads them without a custom type.
 */
export const MessageSentSchema = {
  type: 'record',
  name: 'MessageSent',
  namespace: 'chat.events.v1',
  doc: 'Command: a user asked to send a 1-1 message. Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'senderId', type: 'string' },
    { name: 'recipientId', type: 'string' },
    { name: 'clientMessageId', type: 'string', doc: "The sender's idempotency key." },
    { name: 'text', type: 'string' },
    {
      name: 'sentAt',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'When the gateway accepted it.',
    },
  ],
} as const;

export const MessagePersistedSchema = {
  type: 'record',
  name: 'MessagePersisted',
  namespace: 'chat.events.v1',
  doc: 'Fact: a 1-1 message is stored in MongoDB. Keyed by conversationId; published again when a resend is deduplicated.',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'conversationId', type: 'string' },
    { name: 'senderId', type: 'string' },
    { name: 'recipientId', type: 'string' },
    { name: 'clientMessageId', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'seq', type: 'long', doc: '1, 2, 3… per conversation, in storage order.' },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

/** Parsed avsc types, for validating events locally before they reach the registry-aware encoder. */
export const avroTypes = {
  messageSent: avro.Type.forSchema(MessageSentSchema as unknown as avro.Schema),
  messagePersisted: avro.Type.forSchema(MessagePersistedSchema as unknown as avro.Schema),
};
