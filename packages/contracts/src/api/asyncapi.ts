import { Commands, CorrelatedTopics } from '../commands.js';
import { EventCatalog } from '../events.js';
import { SocketEventTable } from '../socket.js';
import { ackSchema, type SocketEventSpec } from '../socket-spec.js';
import { deliveryTopic, KafkaHeaders, type TopicName, Topics } from '../topics.js';
import { componentSchemas, type JsonSchema, toJsonSchema } from './schemas.js';

/** Avro schemas go into the document as they are registered, in AsyncAPI's multi-format schema object. */
const AVRO_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

interface MessageObject {
  name: string;
  summary?: string;
  payload: JsonSchema;
  headers?: JsonSchema;
  correlationId?: { location: string };
}

const withSummary = (summary: string | undefined) => (summary ? { summary } : {});

/**
 * Socket.IO channels, one per event of the table: a client event carries its request and ack, a server event
 * its message (named after the event, or `<event> <message>` on a channel that also has a request).
 */
function socketChannels() {
  return Object.fromEntries(
    Object.entries(SocketEventTable as Record<string, SocketEventSpec>).map(
      ([id, { event, toServer, toClient }]) => {
        const messages: Record<string, MessageObject> = {};
        if (toServer) {
          messages.request = {
            name: event,
            ...withSummary(toServer.summary),
            payload: toJsonSchema(toServer.payload),
          };
          messages.ack = {
            name: `${event} ack`,
            ...withSummary(toServer.ackSummary),
            payload: toJsonSchema(ackSchema(toServer.ack)),
          };
        }
        if (toClient) {
          messages[toClient.message] = {
            name: toServer ? `${event} ${toClient.message}` : event,
            ...withSummary(toClient.summary),
            payload: toJsonSchema(toClient.payload),
          };
        }
        return [id, { address: event, messages }];
      },
    ),
  );
}

/** What the gateway does with each socket message: receives requests (and replies with the ack), sends the rest. */
function socketOperations(channels: ReturnType<typeof socketChannels>) {
  const operations: Record<string, unknown> = {};
  for (const [id, channel] of Object.entries(channels)) {
    const channelRef = { $ref: `#/channels/${id}` };
    for (const [messageId, message] of Object.entries(channel.messages)) {
      if (messageId === 'ack') continue;
      const messageRef = { $ref: `#/channels/${id}/messages/${messageId}` };
      const withAck = messageId === 'request';
      operations[`${id}.${messageId}`] = {
        action: withAck ? 'receive' : 'send',
        channel: channelRef,
        summary: withAck
          ? `Client → server: ${message.name}, with an ack`
          : `Server → client: ${message.name}`,
        messages: [messageRef],
        ...(withAck
          ? { reply: { channel: channelRef, messages: [{ $ref: `#/channels/${id}/messages/ack` }] } }
          : {}),
      };
    }
  }
  return operations;
}

/** Kafka channels are named apart from socket channels (`conversationRead` is both an event and a topic). */
export const kafkaChannelId = (topicKey: string) => `kafka.${topicKey}`;

function kafkaMessage(topic: TopicName): MessageObject {
  if (topic === Topics.deadLetter) {
    return {
      name: 'DeadLetter',
      summary: 'A record set aside, with its original key and bytes, and why.',
      payload: { type: 'string', format: 'binary' },
      headers: {
        type: 'object',
        properties: Object.fromEntries(
          [
            KafkaHeaders.deadLetterSourceTopic,
            KafkaHeaders.deadLetterSourcePartition,
            KafkaHeaders.deadLetterSourceOffset,
            KafkaHeaders.deadLetterReason,
            KafkaHeaders.deadLetterConsumer,
          ].map((header) => [header, { type: 'string' }]),
        ),
      },
    };
  }
  const schema = EventCatalog[topic];
  return {
    name: schema.name,
    summary: schema.doc,
    payload: { schemaFormat: AVRO_FORMAT, schema },
    ...(CorrelatedTopics.has(topic)
      ? {
          headers: {
            type: 'object',
            properties: { [KafkaHeaders.correlationId]: { type: 'string' } },
          },
          correlationId: { location: `$message.header#/${KafkaHeaders.correlationId}` },
        }
      : {}),
  };
}

/** The delivery topics' channel id (`delivery.<GATEWAY_ID>`, one topic per gateway). */
export const deliveryChannelId = 'kafka.delivery';

/**
 * A gateway's delivery topic carries copies of the facts that answer commands, and of typing changes, each the
 * fact's own record with a `fact-topic` header naming the topic whose schema decodes it.
 */
function deliveryChannel() {
  const facts = Object.entries(Topics).filter(
    ([, topic]) =>
      topic === Topics.typingChanged || Object.values(Commands).some(({ answer }) => answer.topic === topic),
  );
  return {
    address: deliveryTopic('{gatewayId}'),
    description:
      'One topic per gateway (one partition, kept 1 h), read by that gateway only: a copy of each fact told to a ' +
      'user with a socket on it, and of each answer to a command it sent (the `origin-gateway` header of the ' +
      'command), published by the persister besides the fact’s own topic; and a copy of each typing change in a ' +
      'conversation with a member on it, published by the typing member’s gateway. Key, value and headers are the ' +
      'fact’s, plus `fact-topic`. Deployments may prefix every topic name (KAFKA_TOPIC_PREFIX).',
    parameters: { gatewayId: { description: 'The gateway’s `GATEWAY_ID`.' } },
    servers: [{ $ref: '#/servers/kafka' }],
    messages: Object.fromEntries(
      facts.map(([id, topic]) => {
        const message = kafkaMessage(topic);
        const properties = (message.headers?.properties ?? {}) as Record<string, unknown>;
        return [
          id,
          {
            ...message,
            headers: {
              type: 'object',
              properties: { ...properties, [KafkaHeaders.factTopic]: { type: 'string', const: topic } },
              required: [KafkaHeaders.factTopic],
            },
          },
        ];
      }),
    ),
  };
}

/**
 * The AsyncAPI 3 document of the gateway's Socket.IO events and the Kafka topics, built from the contracts: the
 * socket payloads from the zod schemas and the shared JSON Schemas, the Kafka payloads from the Avro schemas
 * registered in the schema registry. Served at `ApiDocPaths.asyncApi`.
 */
export function asyncApiDocument() {
  const sockets = socketChannels();
  const kafkaChannels = Object.fromEntries(
    Object.entries(Topics).map(([id, topic]) => [
      kafkaChannelId(id),
      {
        address: topic,
        description:
          'Values are Avro in the Confluent wire format (magic byte 0, 4-byte schema id, body), registered under ' +
          '`<topic>-value`. Deployments may prefix every topic name (KAFKA_TOPIC_PREFIX).',
        servers: [{ $ref: '#/servers/kafka' }],
        messages: { record: kafkaMessage(topic) },
      },
    ]),
  );
  const delivery = deliveryChannel();
  const kafkaOperations = Object.fromEntries([
    ...Object.keys(Topics).flatMap((id) =>
      (['send', 'receive'] as const).map((action) => [
        `${kafkaChannelId(id)}.${action}`,
        {
          action,
          channel: { $ref: `#/channels/${kafkaChannelId(id)}` },
          messages: [{ $ref: `#/channels/${kafkaChannelId(id)}/messages/record` }],
        },
      ]),
    ),
    ...(['send', 'receive'] as const).map((action) => [
      `${deliveryChannelId}.${action}`,
      {
        action,
        channel: { $ref: `#/channels/${deliveryChannelId}` },
        messages: Object.keys(delivery.messages).map((id) => ({
          $ref: `#/channels/${deliveryChannelId}/messages/${id}`,
        })),
      },
    ]),
  ]);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'chat-backend events',
      version: '1.0.0',
      description:
        'Socket.IO events between clients and the gateway, and the Kafka topics between the gateway, the persister ' +
        'and downstream services. docs/protocol.md explains each.',
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: '127.0.0.1:3000',
        protocol: 'ws',
        description:
          'Socket.IO v4 on the gateway: `io(url, { auth: { token } })` with a JWT whose `sub` is the user id.',
      },
      kafka: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The deployment’s Kafka cluster.' },
    },
    channels: {
      ...Object.fromEntries(
        Object.entries(sockets).map(([id, channel]) => [
          id,
          { ...channel, servers: [{ $ref: '#/servers/gateway' }] },
        ]),
      ),
      ...kafkaChannels,
      [deliveryChannelId]: delivery,
    },
    operations: { ...socketOperations(sockets), ...kafkaOperations },
    components: { schemas: componentSchemas },
  };
}
