import { type CommandTopic, Topics } from '@chat/contracts';
import type { BatchHandler, EventBus } from '@chat/event-bus';
import type { Logger } from '@chat/runtime';
import type { ChatModels, ConversationHeads } from '@chat/storage';
import type { Answers } from './answers.js';
import { handleGroupChange } from './consumers/group-change.consumer.js';
import {
  handleConversationMute,
  handleConversationRead,
  handleMessageDelivered,
} from './consumers/marker-commands.consumer.js';
import { handleMessageChange } from './consumers/message-change.consumer.js';
import { handleMessageSent } from './consumers/message-sent.consumer.js';
import { handlePresenceConnection } from './consumers/presence-connection.consumer.js';
import type { PersisterMetrics } from './metrics.js';
import type { SerialWriter } from './serial-writer.js';

/** What the persister's handlers work with: built once per process. */
export interface HandlerDeps {
  bus: EventBus;
  /** Publishes each command's answer (see Answers). */
  answers: Answers;
  models: ChatModels;
  logger: Logger;
  /** Message writes and changes go through it, one at a time. */
  writer: SerialWriter;
  heads: ConversationHeads;
  metrics: PersisterMetrics;
  maxGroupMembers: number;
  editWindowMs: number;
}

/**
 * Every topic the persister consumes, with its handler, registered once here: one handler per command of the
 * contracts' `Commands` (a command without one does not compile), and the facts it records.
 */
export function persisterHandlers(deps: HandlerDeps): { [C in CommandTopic]: BatchHandler<C> } & {
  [Topics.presenceConnection]: BatchHandler<typeof Topics.presenceConnection>;
} {
  return {
    [Topics.messageSent]: handleMessageSent(deps),
    [Topics.conversationRead]: handleConversationRead(deps),
    [Topics.groupChange]: handleGroupChange(deps),
    [Topics.messageDelivered]: handleMessageDelivered(deps),
    [Topics.messageChange]: handleMessageChange(deps),
    [Topics.conversationMute]: handleConversationMute(deps),
    [Topics.presenceConnection]: handlePresenceConnection(deps),
  };
}
