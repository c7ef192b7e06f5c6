import { z } from 'zod';
import {
  changesQuerySchema,
  conversationHistoryQuerySchema,
  conversationQuerySchema,
  inboxQuerySchema,
  messageHistoryQuerySchema,
} from '../validation.js';
import { componentSchemas, type JsonSchema, schemaRef, toJsonSchema } from './schemas.js';

/** Where the gateway serves its machine-readable API descriptions. */
export const ApiDocPaths = Object.freeze({
  openApi: '/api/v1/openapi.json',
  asyncApi: '/api/v1/asyncapi.json',
});

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: json(schemaRef('ErrorResponse')) });

/** The errors every authenticated route may answer. */
const authErrors = {
  '400': errorResponse('VALIDATION_FAILED: the query breaks a rule; `details` names the fields.'),
  '401': errorResponse('UNAUTHORIZED: no valid bearer token.'),
  '500': errorResponse(
    'INTERNAL: a failure on our side (for example the database); details only in the log.',
  ),
};

/** OpenAPI query parameters from a zod query schema: one source for validation and description. */
function queryParameters(schema: z.ZodType, descriptions: Record<string, string>) {
  const object = toJsonSchema(schema) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    description: descriptions[name],
    schema: property,
  }));
}

function chatRoute(
  summary: string,
  description: string,
  query: { schema: z.ZodType; descriptions: Record<string, string> },
  ok: JsonSchema,
) {
  return {
    summary,
    description,
    security: [{ bearer: [] }],
    parameters: queryParameters(query.schema, query.descriptions),
    responses: { '200': { description: 'OK', content: json(ok) }, ...authErrors },
  };
}

/**
 * A route under `/convo/{conversationId}`: a member's conversation (a removed member's as it was at the
 * removal); 404 for anyone who never was a member, exactly as for an unknown id.
 */
function conversationRoute(...args: Parameters<typeof chatRoute>) {
  return underConversation([], chatRoute(...args));
}

function underConversation(pathParameters: object[], route: ReturnType<typeof chatRoute>) {
  return {
    ...route,
    parameters: [
      {
        name: 'conversationId',
        in: 'path',
        required: true,
        description: 'A 1-1 (`dm_…`) or group (`grp_…`) conversation id.',
        schema: { type: 'string', minLength: 1, maxLength: 128 },
      },
      ...pathParameters,
      ...route.parameters,
    ],
    responses: {
      ...route.responses,
      '404': errorResponse(
        'NOT_FOUND: no such conversation, or one the caller never was a member of (the two are not told apart).',
      ),
    },
  };
}

/**
 * A route under `/convo/{conversationId}/message/{messageId}`: for members only (a removed member is 403); 404
 * also for a message that is not the conversation's.
 */
function messageRoute(summary: string, description: string, ok: JsonSchema) {
  const route = underConversation(
    [
      {
        name: 'messageId',
        in: 'path',
        required: true,
        description: 'A message (`msg_…`) of the conversation.',
        schema: { type: 'string', minLength: 1, maxLength: 64 },
      },
    ],
    chatRoute(summary, description, { schema: z.object({}), descriptions: {} }, ok),
  );
  return {
    ...route,
    responses: {
      ...route.responses,
      '403': errorResponse('FORBIDDEN: the caller was removed from the group.'),
      '404': errorResponse(
        'NOT_FOUND: no such conversation or message, or a conversation the caller never was a member of (not told apart).',
      ),
    },
  };
}

/** Routes served only with the demo page on (DEMO_PAGE, on by default in development). */
const demoRoute = (summary: string, contentType: string) => ({
  summary,
  description: 'Served only when the demo page is enabled (`DEMO_PAGE`; on by default in development).',
  tags: ['demo'],
  responses: { '200': { description: 'OK', content: { [contentType]: { schema: { type: 'string' } } } } },
});

/** The OpenAPI 3.1 document of every HTTP route of the gateway, served at `ApiDocPaths.openApi`. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'chat-backend gateway HTTP API',
      version: '1.0.0',
      description:
        'REST reads of the chat backend. Real-time traffic (sending, deliveries, presence, read receipts) is on ' +
        'Socket.IO: see the AsyncAPI document at /api/v1/asyncapi.json, and docs/protocol.md.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: componentSchemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'HS256 (JWT_SECRET) or RS256/ES256 (JWT_PUBLIC_KEY); `sub` is the user id, `exp` is required.',
        },
      },
    },
    paths: {
      '/api/v1/chat/convo/one-to-one': {
        post: chatRoute(
          "The caller's 1-1 conversation with another user",
          'Answers the same shape before the first message (lastMessage and createdAt null), and writes nothing.',
          { schema: conversationQuerySchema, descriptions: { otherUserId: 'The other participant.' } },
          schemaRef('ConversationResponse'),
        ),
      },
      '/api/v1/chat/convo/one-to-one/message': {
        get: chatRoute(
          'One page of a 1-1 conversation’s messages',
          'Newest first (with `from` or neither); oldest first with `after` (catch-up after a reconnect).',
          {
            schema: messageHistoryQuerySchema,
            descriptions: {
              otherUserId: 'The other participant.',
              from: 'Older than this seq: the nextCursor of the previous page.',
              after: 'Newer than this seq, oldest first; not together with from.',
              limit: 'Page size.',
            },
          },
          schemaRef('MessagePage'),
        ),
      },
      '/api/v1/chat/convo/{conversationId}': {
        get: conversationRoute(
          'A conversation by its id, 1-1 or group',
          'For a member removed from a group: as it was at their removal (unreadCount 0).',
          { schema: z.object({}), descriptions: {} },
          schemaRef('ConversationResponse'),
        ),
      },
      '/api/v1/chat/convo/{conversationId}/message': {
        get: conversationRoute(
          'One page of a conversation’s messages, 1-1 or group',
          'As the 1-1 history; a member removed from a group gets only messages up to their removal.',
          {
            schema: conversationHistoryQuerySchema,
            descriptions: {
              from: 'Older than this seq: the nextCursor of the previous page.',
              after: 'Newer than this seq, oldest first; not together with from.',
              limit: 'Page size.',
            },
          },
          schemaRef('MessagePage'),
        ),
      },
      '/api/v1/chat/convo/{conversationId}/changes': {
        get: conversationRoute(
          'The change log: every message whose latest change is after a changeSeq',
          'Oldest change first, each message once, as its current snapshot (a stub for a message the caller deleted for themselves). Store the last changeSeq seen and pass it as `after` to learn everything that changed while away.',
          {
            schema: changesQuerySchema,
            descriptions: {
              after: 'Only changes after this changeSeq (the nextCursor of the previous page); 0 by default.',
              limit: 'Page size.',
            },
          },
          schemaRef('ChangesPage'),
        ),
      },
      '/api/v1/chat/convo/{conversationId}/message/{messageId}/receipts': {
        get: messageRoute(
          '"Seen by": who read the message, and whose devices received it',
          'Members other than the sender who were members when it was sent; members added later are never listed.',
          schemaRef('Receipts'),
        ),
      },
      '/api/v1/chat/convo/{conversationId}/message/{messageId}/versions': {
        get: messageRoute(
          'Every version of the message’s text, oldest first',
          'The current one included; empty after a deletion for everyone.',
          schemaRef('Versions'),
        ),
      },
      '/api/v1/chat/convo': {
        get: chatRoute(
          "The caller's inbox",
          'Conversations, most recent message first, each with its unread count and last message.',
          {
            schema: inboxQuerySchema,
            descriptions: {
              cursor: 'The opaque nextCursor of the previous page (signed by the server; any other is 400).',
              limit: 'Page size.',
              updatedSince: 'Only conversations changed (a message or a read marker) after this time.',
            },
          },
          schemaRef('InboxPage'),
        ),
      },
      '/healthz': {
        get: {
          summary: 'The process is alive',
          responses: { '200': { description: 'OK', content: json(schemaRef('Health')) } },
        },
      },
      '/readyz': {
        get: {
          summary: 'Kafka and MongoDB are connected',
          responses: {
            '200': { description: 'Ready', content: json(schemaRef('Readiness')) },
            '503': { description: 'Not ready', content: json(schemaRef('Readiness')) },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (docs/operations.md)',
          description:
            'Keep it internal. With METRICS_TOKEN set it needs `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).',
          responses: {
            '200': {
              description: 'Prometheus text format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            '401': errorResponse('UNAUTHORIZED: METRICS_TOKEN is set and the request does not carry it.'),
          },
        },
      },
      [ApiDocPaths.openApi]: {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
      [ApiDocPaths.asyncApi]: {
        get: {
          summary: 'The AsyncAPI 3 document of the Socket.IO events and Kafka topics',
          responses: { '200': { description: 'AsyncAPI 3.0', content: json({ type: 'object' }) } },
        },
      },
      '/': { get: demoRoute('The demo chat page', 'text/html') },
      '/demo/app.js': { get: demoRoute("The demo page's script", 'text/javascript') },
      '/demo/style.css': { get: demoRoute("The demo page's style sheet", 'text/css') },
      '/demo/config.json': {
        get: {
          ...demoRoute('Ready-made users for the demo page', 'application/json'),
          responses: {
            '200': {
              description:
                'The demo users `npm start` minted tokens for (none when it runs with your own key).',
              content: json({
                type: 'object',
                properties: {
                  users: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { userId: { type: 'string' }, token: { type: 'string' } },
                      required: ['userId', 'token'],
                      additionalProperties: false,
                    },
                  },
                },
                required: ['users'],
                additionalProperties: false,
              }),
            },
          },
        },
      },
    },
  };
}
