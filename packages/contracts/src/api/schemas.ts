import { z } from 'zod';
import {
  changesPageResponseSchema,
  conversationDtoSchema,
  conversationResponseSchema,
  conversationUpdatedDtoSchema,
  deliveredReceiptDtoSchema,
  healthSchema,
  hiddenMessageDtoSchema,
  inboxEntryDtoSchema,
  inboxPageResponseSchema,
  messageDtoSchema,
  messageHiddenDtoSchema,
  messagePageResponseSchema,
  messageUpdatedDtoSchema,
  messageViewSchema,
  participantDtoSchema,
  presenceDtoSchema,
  readinessSchema,
  readReceiptDtoSchema,
  receiptsResponseSchema,
  typingDtoSchema,
  versionsResponseSchema,
} from '../dto.js';
import { errorBodySchema, errorResponseSchema } from '../errors.js';

export type JsonSchema = Record<string, unknown>;

/**
 * The zod schemas the OpenAPI and AsyncAPI documents share under `components.schemas`, by name: the DTOs of
 * dto.ts, the error body, the health answers. Wherever one of them appears inside another schema, the document
 * refers to it by name.
 */
const components: Record<string, z.ZodType> = {
  Message: messageDtoSchema,
  HiddenMessage: hiddenMessageDtoSchema,
  MessageView: messageViewSchema,
  ChangesPage: changesPageResponseSchema,
  Receipts: receiptsResponseSchema,
  Versions: versionsResponseSchema,
  MessageUpdated: messageUpdatedDtoSchema,
  MessageHidden: messageHiddenDtoSchema,
  Participant: participantDtoSchema,
  Conversation: conversationDtoSchema,
  ConversationResponse: conversationResponseSchema,
  MessagePage: messagePageResponseSchema,
  InboxEntry: inboxEntryDtoSchema,
  InboxPage: inboxPageResponseSchema,
  Presence: presenceDtoSchema,
  ReadReceipt: readReceiptDtoSchema,
  ConversationUpdated: conversationUpdatedDtoSchema,
  DeliveredReceipt: deliveredReceiptDtoSchema,
  Typing: typingDtoSchema,
  ErrorBody: errorBodySchema,
  ErrorResponse: errorResponseSchema,
  Health: healthSchema,
  Readiness: readinessSchema,
};

const componentPath = (name: string) => `#/components/schemas/${name}`;

export const schemaRef = (name: string): JsonSchema => ({ $ref: componentPath(name) });

/** The id `extra` converts under: a colon keeps it apart from every component name. */
const EXTRA = ':extra';

/**
 * JSON Schemas (2020-12) of the components and of `extra`, as zod converts them in one registry: a component
 * inside another schema becomes a reference to it. Inputs convert as a client writes them (before transforms).
 */
function convert(extra?: z.ZodType): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  if (extra) registry.add(extra, { id: EXTRA });
  const { schemas } = z.toJSONSchema(registry, {
    uri: componentPath,
    io: 'input',
    unrepresentable: 'any',
  });
  // Each schema sits inside a document: no `$schema` marker, no `$id` of its own.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _, $id: _id, ...json }]) => [id, json]),
  );
}

/** `schema` as JSON Schema inside a document: a component by reference, anything else converted. */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const name = Object.keys(components).find((id) => components[id] === schema);
  if (name) return schemaRef(name);
  const { [EXTRA]: json } = convert(schema);
  if (!json) throw new Error('zod converted no schema');
  return json;
}

export const componentSchemas: Record<string, JsonSchema> = convert();
