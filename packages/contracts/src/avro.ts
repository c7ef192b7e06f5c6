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

const millis = { type: 'long', logicalType: 'timestamp-millis' } as const;

export const ConversationReadSchema = {
  type: 'record',
  name: 'ConversationRead',
  namespace: 'chat.events.v1',
  doc: 'Command: a participant opened the conversation. Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'readerId', type: 'string' },
    { name: 'readAt', type: millis, doc: 'When the gateway received the read; markers only move forward.' },
  ],
} as const;

export const ConversationReadPersistedSchema = {
  type: 'record',
  name: 'ConversationReadPersisted',
  namespace: 'chat.events.v1',
  doc: "Fact: the reader's marker after the read was applied (never earlier than before). Keyed by conversationId.",
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'readerId', type: 'string' },
    { name: 'otherUserId', type: 'string' },
    { name: 'lastReadAt', type: millis },
  ],
} as const;

export const PresenceConnectionSchema = {
  type: 'record',
  name: 'PresenceConnection',
  namespace: 'chat.events.v1',
  doc: "Fact: a user's first socket on a gateway connected (online) or its last one left (offline). Keyed by `<gatewayId>/<userId>`, compacted.",
  fields: [
    { name: 'gatewayId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'online', type: 'boolean' },
    { name: 'at', type: millis },
  ],
} as const;

export const PresenceGatewaySchema = {
  type: 'record',
  name: 'PresenceGateway',
  namespace: 'chat.events.v1',
  doc: 'Fact: a gateway heartbeat (alive) or its goodbye (alive = false). Keyed by gatewayId, compacted.',
  fields: [
    { name: 'gatewayId', type: 'string' },
    { name: 'alive', type: 'boolean' },
    { name: 'at', type: millis },
  ],
} as const;

export const RepliedIn24hrFirstSchema = {
  type: 'record',
  name: 'RepliedIn24hrFirst',
  namespace: 'chat.events.v1',
  doc: 'Fact: replierId answered repliedToId within 24 h, the first such reply in a 24 h window. Keyed by conversationId.',
  fields: [
    { name: 'eventId', type: 'string', doc: 'Equal to messageId; de-duplicate by it.' },
    { name: 'conversationId', type: 'string' },
    { name: 'replierId', type: 'string' },
    { name: 'repliedToId', type: 'string' },
    { name: 'messageId', type: 'string', doc: 'The reply.' },
    { name: 'repliedToMessageId', type: 'string', doc: 'The message that was answered.' },
    {
      name: 'replyDelayMs',
      type: 'long',
      doc: 'createdAt of the reply minus createdAt of the answered message.',
    },
    { name: 'repliedAt', type: millis },
  ],
} as const;
