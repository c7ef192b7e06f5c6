import { EventCatalog } from '../events.js';
import { CorrelatedTopics } from '../requests.js';
import { ClientEventSchemas, SocketEvents } from '../socket.js';
import { KafkaHeaders, type TopicName, Topics } from '../topics.js';
import { ackSchema, componentSchemas, fromZod, type JsonSchema, schemaRef } from './schemas.js';

/** Avro schemas go into the document as they are registered, in AsyncAPI's multi-format schema object. */
const AVRO_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

type SocketEvent = (typeof SocketEvents)[keyof typeof SocketEvents];

interface MessageObject {
  name: string;
  summary?: string;
  payload: JsonSchema;
  headers?: JsonSchema;
  correlationId?: { location: string };
}

const groupMembersAck = ackSchema({
  conversationId: { type: 'string' },
  participants: { type: 'array', items: schemaRef('Participant') },
});

/** Socket.IO channels, one per event name; requests with an ack carry both messages. */
const socketChannels: Record<
  keyof typeof SocketEvents,
  { address: SocketEvent; messages: Record<string, MessageObject> }
> = {
  messageSend: {
    address: SocketEvents.messageSend,
    messages: {
      request: {
        name: 'message:send',
        summary:
          'Send a message: to otherUserId (1-1) or to conversationId (a group, or a 1-1 conversation); resend with the same clientMessageId to retry.',
        payload: fromZod(ClientEventSchemas[SocketEvents.messageSend]),
      },
      ack: {
        name: 'message:send ack',
        summary: 'Only once the message is stored.',
        payload: ackSchema({ message: schemaRef('Message') }),
      },
    },
  },
  messageNew: {
    address: SocketEvents.messageNew,
    messages: {
      message: {
        name: 'message:new',
        summary: 'A stored message, to every socket of every member. De-duplicate by id.',
        payload: schemaRef('Message'),
      },
    },
  },
  presenceSubscribe: {
    address: SocketEvents.presenceSubscribe,
    messages: {
      request: {
        name: 'presence:subscribe',
        payload: fromZod(ClientEventSchemas[SocketEvents.presenceSubscribe]),
      },
      ack: {
        name: 'presence:subscribe ack',
        payload: ackSchema({ presence: { type: 'array', items: schemaRef('Presence') } }),
      },
    },
  },
  presenceUnsubscribe: {
    address: SocketEvents.presenceUnsubscribe,
    messages: {
      request: {
        name: 'presence:unsubscribe',
        payload: fromZod(ClientEventSchemas[SocketEvents.presenceUnsubscribe]),
      },
      ack: { name: 'presence:unsubscribe ack', payload: ackSchema({}) },
    },
  },
  presenceUpdate: {
    address: SocketEvents.presenceUpdate,
    messages: { update: { name: 'presence:update', payload: schemaRef('Presence') } },
  },
  conversationRead: {
    address: SocketEvents.conversationRead,
    messages: {
      request: {
        name: 'conversation:read',
        summary: 'I opened this conversation (named by otherUserId or conversationId) now, or at readAt.',
        payload: fromZod(ClientEventSchemas[SocketEvents.conversationRead]),
      },
      ack: {
        name: 'conversation:read ack',
        payload: ackSchema({
          conversationId: { type: 'string' },
          lastReadAt: { type: 'string', format: 'date-time' },
        }),
      },
      receipt: {
        name: 'conversation:read receipt',
        summary: "A participant's read marker moved.",
        payload: schemaRef('ReadReceipt'),
      },
    },
  },
  conversationMute: {
    address: SocketEvents.conversationMute,
    messages: {
      request: {
        name: 'conversation:mute',
        summary:
          'No offline notifications of this conversation for the caller (all devices) until `until`, or until unmuted (null).',
        payload: fromZod(ClientEventSchemas[SocketEvents.conversationMute]),
      },
      ack: { name: 'conversation:mute ack', summary: 'Once the mute is stored.', payload: ackSchema({}) },
    },
  },
  conversationUnmute: {
    address: SocketEvents.conversationUnmute,
    messages: {
      request: {
        name: 'conversation:unmute',
        payload: fromZod(ClientEventSchemas[SocketEvents.conversationUnmute]),
      },
      ack: { name: 'conversation:unmute ack', summary: 'Once the unmute is stored.', payload: ackSchema({}) },
    },
  },
  sessionExpired: {
    address: SocketEvents.sessionExpired,
    messages: {
      notice: {
        name: 'session:expired',
        summary: "The socket's token reached its exp (TOKEN_EXPIRED); the server disconnects right after.",
        payload: schemaRef('ErrorBody'),
      },
    },
  },
  sessionClosed: {
    address: SocketEvents.sessionClosed,
    messages: {
      notice: {
        name: 'session:closed',
        summary:
          'The socket kept sending past RATE_LIMITED; the server disconnects right after. Reconnect after retryAfterMs.',
        payload: schemaRef('ErrorBody'),
      },
    },
  },
  groupCreate: {
    address: SocketEvents.groupCreate,
    messages: {
      request: {
        name: 'group:create',
        summary: 'Create a group with the sender as admin; idempotent on clientRequestId.',
        payload: fromZod(ClientEventSchemas[SocketEvents.groupCreate]),
      },
      ack: {
        name: 'group:create ack',
        summary: 'Once the group is stored.',
        payload: ackSchema({ conversation: schemaRef('Conversation') }),
      },
    },
  },
  groupAddMembers: {
    address: SocketEvents.groupAddMembers,
    messages: {
      request: {
        name: 'group:add-members',
        summary: 'Admins only.',
        payload: fromZod(ClientEventSchemas[SocketEvents.groupAddMembers]),
      },
      ack: { name: 'group:add-members ack', payload: groupMembersAck },
    },
  },
  groupRemoveMember: {
    address: SocketEvents.groupRemoveMember,
    messages: {
      request: {
        name: 'group:remove-member',
        summary: 'Admins, or a member removing themselves.',
        payload: fromZod(ClientEventSchemas[SocketEvents.groupRemoveMember]),
      },
      ack: { name: 'group:remove-member ack', payload: groupMembersAck },
    },
  },
  conversationUpdated: {
    address: SocketEvents.conversationUpdated,
    messages: {
      update: {
        name: 'conversation:updated',
        summary: 'A group was created or its members changed: to every member, old and new.',
        payload: schemaRef('ConversationUpdated'),
      },
    },
  },
  messageDelivered: {
    address: SocketEvents.messageDelivered,
    messages: {
      request: {
        name: 'message:delivered',
        summary: 'The messages up to seq reached this device.',
        payload: fromZod(ClientEventSchemas[SocketEvents.messageDelivered]),
      },
      ack: {
        name: 'message:delivered ack',
        payload: ackSchema({
          conversationId: { type: 'string' },
          lastDeliveredSeq: { type: 'integer', minimum: 0 },
        }),
      },
    },
  },
  conversationDelivered: {
    address: SocketEvents.conversationDelivered,
    messages: {
      receipt: {
        name: 'conversation:delivered',
        summary: "A member's delivered marker moved.",
        payload: schemaRef('DeliveredReceipt'),
      },
    },
  },
  typingStart: {
    address: SocketEvents.typingStart,
    messages: {
      request: {
        name: 'typing:start',
        summary:
          'Start or refresh the typing indicator (expires 5 s after the last one); the ack is optional.',
        payload: fromZod(ClientEventSchemas[SocketEvents.typingStart]),
      },
      ack: { name: 'typing:start ack', payload: ackSchema({}) },
    },
  },
  typingStop: {
    address: SocketEvents.typingStop,
    messages: {
      request: {
        name: 'typing:stop',
        summary: 'Stop the typing indicator; the ack is optional.',
        payload: fromZod(ClientEventSchemas[SocketEvents.typingStop]),
      },
      ack: { name: 'typing:stop ack', payload: ackSchema({}) },
    },
  },
  typing: {
    address: SocketEvents.typing,
    messages: {
      update: {
        name: 'typing',
        summary: 'Another member started or stopped typing, or their indicator expired.',
        payload: schemaRef('Typing'),
      },
    },
  },
};

/** What the gateway does with each socket message: receives requests (and replies with the ack), sends the rest. */
function socketOperations() {
  const operations: Record<string, unknown> = {};
  for (const [id, channel] of Object.entries(socketChannels)) {
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

/**
 * The AsyncAPI 3 document of the gateway's Socket.IO events and the Kafka topics, built from the contracts: the
 * socket payloads from the zod schemas and the shared JSON Schemas, the Kafka payloads from the Avro schemas
 * registered in the schema registry. Served at `ApiDocPaths.asyncApi`.
 */
export function asyncApiDocument() {
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
  const kafkaOperations = Object.fromEntries(
    Object.keys(Topics).flatMap((id) =>
      (['send', 'receive'] as const).map((action) => [
        `${kafkaChannelId(id)}.${action}`,
        {
          action,
          channel: { $ref: `#/channels/${kafkaChannelId(id)}` },
          messages: [{ $ref: `#/channels/${kafkaChannelId(id)}/messages/record` }],
        },
      ]),
    ),
  );
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
        Object.entries(socketChannels).map(([id, channel]) => [
          id,
          { ...channel, servers: [{ $ref: '#/servers/gateway' }] },
        ]),
      ),
      ...kafkaChannels,
    },
    operations: { ...socketOperations(), ...kafkaOperations },
    components: { schemas: componentSchemas },
  };
}
