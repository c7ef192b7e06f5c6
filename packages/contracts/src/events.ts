import { MessagePersistedSchema, MessageSentSchema } from './avro.js';
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

/** Which schema and event type belong to which topic: the one table producers and consumers share. */
export const EventCatalog = {
  [Topics.messageSent]: MessageSentSchema,
  [Topics.messagePersisted]: MessagePersistedSchema,
} as const;

export interface EventsByTopic {
  [Topics.messageSent]: MessageSent;
  [Topics.messagePersisted]: MessagePersisted;
}

export type EventTopic = keyof EventsByTopic;
