import { ConversationKinds, DeleteScopes, GroupActions, GroupRoles, MessageChangeActions } from './enums.js';

/**
 * Avro schemas of every event, registered in the schema registry under the subject `<topic>-value`.
 * Times are epoch milliseconds (`timestamp-millis`), so every language reads them without a custom type.
 */
export const MessageSentSchema = {
  type: 'record',
  name: 'MessageSent',
  namespace: 'chat.events.v1',
  doc: 'Command: a user asked to send a message (1-1 or group). Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'senderId', type: 'string' },
    {
      name: 'recipientId',
      type: ['null', 'string'],
      doc: 'The other user of a 1-1 message; null in a group.',
    },
    { name: 'clientMessageId', type: 'string', doc: "The sender's idempotency key." },
    { name: 'text', type: 'string' },
    {
      name: 'sentAt',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'When the gateway accepted it.',
    },
    {
      name: 'replyToId',
      type: ['null', 'string'],
      default: null,
      doc: 'The message of the same conversation this one replies to.',
    },
  ],
} as const;

const millis = { type: 'long', logicalType: 'timestamp-millis' } as const;

/** The quoted message of a reply, as it was when the reply was stored. */
const ReplyQuoteSchema = {
  type: 'record',
  name: 'ReplyQuote',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'senderId', type: 'string' },
    {
      name: 'text',
      type: 'string',
      doc: 'The first 100 code points of its text when the reply was stored; "" once it is deleted for everyone.',
    },
  ],
} as const;

export const MessagePersistedSchema = {
  type: 'record',
  name: 'MessagePersisted',
  namespace: 'chat.events.v1',
  doc: 'Fact: a message (1-1 or group) is stored in MongoDB. Keyed by conversationId; published again when a resend is deduplicated.',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'conversationId', type: 'string' },
    { name: 'senderId', type: 'string' },
    {
      name: 'recipientId',
      type: ['null', 'string'],
      doc: 'The other user of a 1-1 message; null in a group.',
    },
    { name: 'clientMessageId', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'seq', type: 'long', doc: '1, 2, 3… per conversation, in storage order.' },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    {
      name: 'memberIds',
      type: { type: 'array', items: 'string' },
      default: [],
      doc: "The conversation's members when the message was stored: who receives it.",
    },
    { name: 'version', type: 'long', default: 1, doc: '1 when sent, +1 per edit.' },
    { name: 'editedAt', type: ['null', millis], default: null },
    {
      name: 'deletedAt',
      type: ['null', millis],
      default: null,
      doc: 'When it was deleted for everyone (its text is then "").',
    },
    {
      name: 'reactions',
      default: [],
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Reaction',
          fields: [
            { name: 'emoji', type: 'string' },
            { name: 'userIds', type: { type: 'array', items: 'string' } },
          ],
        },
      },
      doc: 'Each emoji in the order it was first added, its users in the order they reacted.',
    },
    { name: 'replyTo', type: ['null', ReplyQuoteSchema], default: null },
    {
      name: 'changeSeq',
      type: 'long',
      default: 0,
      doc: "Position of the message's latest change in its conversation's change log.",
    },
  ],
} as const;

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
    {
      name: 'otherUserId',
      type: ['null', 'string'],
      default: null,
      doc: 'In a 1-1 conversation; null in a group.',
    },
    { name: 'lastReadAt', type: millis },
    {
      name: 'memberIds',
      type: { type: 'array', items: 'string' },
      default: [],
      doc: "The conversation's members: who is told.",
    },
  ],
} as const;

export const PresenceConnectionSchema = {
  type: 'record',
  name: 'PresenceConnection',
  namespace: 'chat.events.v1',
  doc: "Fact: a user's sockets on a gateway after one connected or left (online while at least one is). Keyed by `<gatewayId>/<userId>`, compacted.",
  fields: [
    { name: 'gatewayId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'online', type: 'boolean' },
    { name: 'at', type: millis },
    {
      name: 'sockets',
      type: 'int',
      default: 0,
      doc: "The user's sockets on that gateway after the change; 0 when offline (and in records of gateways that did not count, read as 1 while online).",
    },
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

const memberIds = { type: 'array', items: 'string' } as const;

export const GroupChangeSchema = {
  type: 'record',
  name: 'GroupChange',
  namespace: 'chat.events.v1',
  doc: 'Command: create a group, add members to it, or remove one. Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    {
      name: 'actorId',
      type: 'string',
      doc: 'Who asked: the creator, an admin, or a member removing themselves.',
    },
    { name: 'action', type: { type: 'enum', name: 'GroupAction', symbols: GroupActions } },
    { name: 'name', type: ['null', 'string'], default: null, doc: 'The group name, for create.' },
    { name: 'memberIds', type: memberIds, doc: 'Members to add (create, add) or the one to remove.' },
    { name: 'at', type: millis, doc: 'When the gateway accepted it.' },
  ],
} as const;

export const GroupChangePersistedSchema = {
  type: 'record',
  name: 'GroupChangePersisted',
  namespace: 'chat.events.v1',
  doc: 'Fact: a group change was stored (or refused), with the participants after it. Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'actorId', type: 'string' },
    {
      name: 'action',
      type: { type: 'enum', name: 'GroupChangeAction', symbols: GroupActions },
    },
    {
      name: 'userIds',
      type: memberIds,
      doc: 'Who was added or removed by this change (a removed member is told too).',
    },
    { name: 'name', type: 'string' },
    {
      name: 'participants',
      doc: 'The members after the change.',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'GroupParticipant',
          fields: [
            { name: 'userId', type: 'string' },
            { name: 'role', type: { type: 'enum', name: 'GroupRole', symbols: GroupRoles } },
            { name: 'lastReadAt', type: ['null', millis] },
            { name: 'lastDeliveredSeq', type: 'long' },
          ],
        },
      },
    },
    { name: 'createdAt', type: millis },
    {
      name: 'refusal',
      type: ['null', 'string'],
      default: null,
      doc: 'Why the change was refused (an ErrorMessages key); null when it was stored.',
    },
  ],
} as const;

export const MessageDeliveredSchema = {
  type: 'record',
  name: 'MessageDelivered',
  namespace: 'chat.events.v1',
  doc: "Command: a member's device received the conversation's messages up to seq. Keyed by conversationId.",
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'seq', type: 'long' },
  ],
} as const;

export const MessageDeliveredPersistedSchema = {
  type: 'record',
  name: 'MessageDeliveredPersisted',
  namespace: 'chat.events.v1',
  doc: "Fact: a member's delivered marker as stored (never lower than before). Keyed by conversationId.",
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'lastDeliveredSeq', type: 'long' },
    { name: 'memberIds', type: memberIds, doc: "The conversation's members: who is told." },
  ],
} as const;

export const TypingChangedSchema = {
  type: 'record',
  name: 'TypingChanged',
  namespace: 'chat.events.v1',
  doc: 'Fact, never stored: a member started (or refreshed) or stopped typing. Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'isTyping', type: 'boolean' },
    { name: 'memberIds', type: memberIds, doc: "The conversation's members: who is told." },
    { name: 'at', type: millis },
  ],
} as const;

export const ConversationMuteSchema = {
  type: 'record',
  name: 'ConversationMute',
  namespace: 'chat.events.v1',
  doc: 'Command: a member muted the conversation for themselves (all their devices), or unmuted it. Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'muted', type: 'boolean', doc: 'false: unmute.' },
    {
      name: 'until',
      type: ['null', millis],
      default: null,
      doc: 'When the mute ends; null: until unmuted (or no mute, when muted is false).',
    },
  ],
} as const;

export const ConversationMutePersistedSchema = {
  type: 'record',
  name: 'ConversationMutePersisted',
  namespace: 'chat.events.v1',
  doc: "Fact: a member's mute as stored. Keyed by conversationId.",
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'muted', type: 'boolean' },
    { name: 'until', type: ['null', millis], default: null },
  ],
} as const;

export const NotificationFailedSchema = {
  type: 'record',
  name: 'NotificationFailed',
  namespace: 'chat.events.v1',
  doc: 'A webhook notification given up after its last attempt (never for 410 Gone). Keyed by recipientId.',
  fields: [
    { name: 'deliveryId', type: 'string', doc: 'As in the webhook body and X-Chat-Delivery-Id.' },
    { name: 'recipientId', type: 'string' },
    { name: 'conversationId', type: 'string' },
    {
      name: 'conversationKind',
      type: { type: 'enum', name: 'NotifiedConversationKind', symbols: ConversationKinds },
    },
    { name: 'messageId', type: 'string', doc: 'The latest message the notification names.' },
    { name: 'seq', type: 'long' },
    { name: 'senderId', type: 'string' },
    { name: 'count', type: 'int', doc: 'Messages the notification stands for.' },
    { name: 'unreadCount', type: 'long' },
    { name: 'preview', type: ['null', 'string'], default: null, doc: 'Null when previews are off.' },
    { name: 'attempts', type: 'int' },
    {
      name: 'lastError',
      type: 'string',
      doc: 'The last answer (`HTTP 500`) or failure (`timeout after 5000 ms`).',
    },
    { name: 'failedAt', type: millis },
  ],
} as const;

export const MessageChangeSchema = {
  type: 'record',
  name: 'MessageChange',
  namespace: 'chat.events.v1',
  doc: "Command: edit a message, delete it (for everyone or for the actor), or set the actor's reactions on it. Keyed by conversationId.",
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'messageId', type: 'string' },
    { name: 'actorId', type: 'string' },
    { name: 'action', type: { type: 'enum', name: 'MessageChangeAction', symbols: MessageChangeActions } },
    { name: 'text', type: ['null', 'string'], default: null, doc: 'The new text, for edit.' },
    {
      name: 'scope',
      type: ['null', { type: 'enum', name: 'DeleteScope', symbols: DeleteScopes }],
      default: null,
      doc: 'For delete.',
    },
    {
      name: 'emojis',
      type: { type: 'array', items: 'string' },
      default: [],
      doc: "For react: the actor's whole set.",
    },
    {
      name: 'requestId',
      type: 'string',
      doc: "The client's clientRequestId, or one the gateway made: a replayed or retried command is applied once.",
    },
    { name: 'at', type: millis, doc: 'When the gateway accepted it.' },
  ],
} as const;

export const MessageChangePersistedSchema = {
  type: 'record',
  name: 'MessageChangePersisted',
  namespace: 'chat.events.v1',
  doc: 'Fact: a message change as stored (or refused). Keyed by conversationId.',
  fields: [
    { name: 'conversationId', type: 'string' },
    { name: 'messageId', type: 'string' },
    { name: 'actorId', type: 'string' },
    {
      name: 'action',
      type: { type: 'enum', name: 'MessageChangedAction', symbols: MessageChangeActions },
    },
    {
      name: 'scope',
      type: ['null', { type: 'enum', name: 'DeletedScope', symbols: DeleteScopes }],
      default: null,
    },
    {
      name: 'messages',
      type: { type: 'array', items: MessagePersistedSchema },
      doc: 'The changed message after the change, with the members told; then, for a delete for everyone, the replies whose quote of it was emptied. Empty for a refusal and for a delete for the actor only.',
    },
    {
      name: 'refusal',
      type: ['null', 'string'],
      default: null,
      doc: 'Why the change was refused (an ErrorMessages key); null when it was stored.',
    },
  ],
} as const;
