import {
  ConversationReadPersistedSchema,
  ConversationReadSchema,
  MessagePersistedSchema,
  MessageSentSchema,
  PresenceConnectionSchema,
  PresenceGatewaySchema,
  RepliedIn24hrFirstSchema,
} from './avro.js';
import { Topics } from './topics.js';

/** Matches MessageSentSchema; `sentAt` is epoch milliseconds. */
export interface MessageSent {
  conversationId: string;
  senderId: string;
  recipientId: string;
  clientMessageId: string;
  text: string;
  sentAt: number;
}

/** Matches MessagePersistedSchema; `createdAt` is epoch milliseconds. */
export interface MessagePersisted {
  id: string;
  conversationId: string;
  senderId: string;
  recipientId: string;
  clientMessageId: string;
  text: string;
  seq: number;
  createdAt: number;
}

export interface ConversationRead {
  conversationId: string;
  readerId: string;
  readAt: number;
}

export interface ConversationReadPersisted {
  conversationId: string;
  readerId: string;
  otherUserId: string;
  lastReadAt: number;
}

export interface PresenceConnection {
  gatewayId: string;
  userId: string;
  online: boolean;
  at: number;
}

export interface PresenceGateway {
  gatewayId: string;
  alive: boolean;
  at: number;
}

export interface RepliedIn24hrFirst {
  eventId: string;
  conversationId: string;
  replierId: string;
  repliedToId: string;
  messageId: string;
  repliedToMessageId: string;
  replyDelayMs: number;
  repliedAt: number;
}

/** Which schema and event type belong to which topic: the one table producers and consumers share. */
export const EventCatalog = {
  [Topics.messageSent]: MessageSentSchema,
  [Topics.messagePersisted]: MessagePersistedSchema,
  [Topics.conversationRead]: ConversationReadSchema,
  [Topics.conversationReadPersisted]: ConversationReadPersistedSchema,
  [Topics.presenceConnection]: PresenceConnectionSchema,
  [Topics.presenceGateway]: PresenceGatewaySchema,
  [Topics.repliedIn24hrFirst]: RepliedIn24hrFirstSchema,
} as const;

export interface EventsByTopic {
  [Topics.messageSent]: MessageSent;
  [Topics.messagePersisted]: MessagePersisted;
  [Topics.conversationRead]: ConversationRead;
  [Topics.conversationReadPersisted]: ConversationReadPersisted;
  [Topics.presenceConnection]: PresenceConnection;
  [Topics.presenceGateway]: PresenceGateway;
  [Topics.repliedIn24hrFirst]: RepliedIn24hrFirst;
}

export type EventTopic = keyof EventsByTopic;
