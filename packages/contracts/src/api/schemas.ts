import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { Limits } from '../limits.js';

/**
 * JSON Schemas (2020-12) of what the server sends: the DTOs of dto.ts, the error body, the acks. The OpenAPI
 * and AsyncAPI documents share them under `components.schemas`; references point there. Strict on purpose
 * (every field required, no others), so the tests that validate real responses against them catch any drift
 * from the TypeScript types.
 */
export type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
const nullable = (schema: JsonSchema): JsonSchema => ({ oneOf: [schema, { type: 'null' }] });

/** An object with exactly these properties, all required but those named `optional`. */
function record(
  properties: Record<string, JsonSchema>,
  description?: string,
  optional: string[] = [],
): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

/** A zod input schema as plain JSON Schema, without its `$schema` marker (it sits inside a document). */
export function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return json;
}

const conversationFields = {
  id: { type: 'string' },
  kind: { enum: ['one_to_one', 'group'] },
  name: { type: 'string', description: "A group's name; absent in a 1-1 conversation." },
  participants: {
    type: 'array',
    items: ref('Participant'),
    description: 'Sorted by user id in a 1-1 conversation; in the order they joined in a group.',
  },
  lastMessage: nullable(ref('Message')),
  unreadCount: {
    type: 'integer',
    minimum: 0,
    description: "Messages from the other participants newer than the caller's lastReadAt.",
  },
  createdAt: nullable(dateTime),
  muted: nullable({
    ...record({ until: nullable(dateTime) }),
    description: "The caller's mute: until when (null: until unmuted); null when not muted.",
  }),
};

export const componentSchemas: Record<string, JsonSchema> = {
  Message: record(
    {
      id: { type: 'string' },
      conversationId: { type: 'string' },
      senderId: { type: 'string' },
      recipientId: nullable({ type: 'string' }),
      clientMessageId: { type: 'string', maxLength: Limits.clientMessageIdMaxLength },
      text: { type: 'string' },
      seq: { type: 'integer', minimum: 1, description: '1, 2, 3… per conversation, with no gaps.' },
      createdAt: { ...dateTime, description: 'When the persister stored it.' },
    },
    'A stored message (MessageDto); recipientId is null in a group.',
  ),
  Participant: record(
    {
      userId: { type: 'string' },
      role: { enum: ['admin', 'member'], description: 'In a group only.' },
      lastReadAt: nullable(dateTime),
      lastDeliveredSeq: { type: 'integer', minimum: 0 },
    },
    undefined,
    ['role'],
  ),
  Conversation: record(
    conversationFields,
    'A 1-1 or group conversation as the caller sees it (ConversationDto).',
    ['name'],
  ),
  ConversationResponse: record({ conversation: ref('Conversation') }),
  MessagePage: record({
    messages: { type: 'array', items: ref('Message') },
    nextCursor: nullable({ type: 'integer' }),
  }),
  InboxEntry: record(
    {
      ...conversationFields,
      otherUserId: nullable({ type: 'string' }),
      lastActivityAt: dateTime,
      updatedAt: dateTime,
    },
    undefined,
    ['name'],
  ),
  InboxPage: record({
    conversations: { type: 'array', items: ref('InboxEntry') },
    nextCursor: nullable({ type: 'string' }),
  }),
  Presence: record({
    userId: { type: 'string' },
    online: { type: 'boolean' },
    lastSeenAt: nullable(dateTime),
  }),
  ReadReceipt: record({
    conversationId: { type: 'string' },
    userId: { type: 'string' },
    lastReadAt: dateTime,
  }),
  ConversationUpdated: record(
    {
      conversationId: { type: 'string' },
      kind: { const: 'group' },
      name: { type: 'string' },
      change: { enum: ['create', 'add', 'remove'] },
      actorId: { type: 'string' },
      userIds: { type: 'array', items: { type: 'string' } },
      participants: { type: 'array', items: ref('Participant') },
      createdAt: dateTime,
    },
    'A group was created or its members changed (ConversationUpdatedDto).',
  ),
  DeliveredReceipt: record({
    conversationId: { type: 'string' },
    userId: { type: 'string' },
    seq: { type: 'integer', minimum: 0 },
  }),
  Typing: record({
    conversationId: { type: 'string' },
    userId: { type: 'string' },
    isTyping: { type: 'boolean' },
  }),
  ErrorBody: {
    type: 'object',
    properties: {
      code: { type: 'string', enum: ERROR_CODES },
      message: { type: 'string' },
      retriable: { type: 'boolean' },
      retryAfterMs: { type: 'integer', minimum: 0 },
      details: {
        type: 'array',
        items: record({ path: { type: 'string' }, message: { type: 'string' } }),
      },
    },
    required: ['code', 'message', 'retriable'],
    additionalProperties: false,
  },
  ErrorResponse: record({ error: ref('ErrorBody') }),
  Health: record({ status: { const: 'ok' } }),
  Readiness: {
    type: 'object',
    properties: {
      ready: { type: 'boolean' },
      checks: { type: 'object', additionalProperties: { enum: ['up', 'down'] } },
      reasons: { type: 'object', additionalProperties: { type: 'string' } },
    },
    required: ['ready', 'checks'],
    additionalProperties: false,
  },
};

/** The schema of an ack: `{ ok: true, …fields }` or `{ ok: false, error }`. */
export function ackSchema(fields: Record<string, JsonSchema>): JsonSchema {
  return {
    oneOf: [
      record({ ok: { const: true }, ...fields }),
      record({ ok: { const: false }, error: ref('ErrorBody') }),
    ],
  };
}

export { ref as schemaRef };
