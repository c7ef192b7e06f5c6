import { type MessageSent, messageSendSchema, Topics } from '@chat/contracts';
import { type BatchHandler, type EventBus, type IncomingEvent, replyHeaders } from '@chat/event-bus';
import type { Logger } from '@chat/runtime';
import {
  type ChatModels,
  type ConversationHeads,
  markRewardsPublished,
  oneToOneConversationId,
  storeMessageBatch,
  WriteConflictError,
} from '@chat/storage';
import type { PersisterMetrics } from '../metrics.js';
import type { SerialWriter } from '../serial-writer.js';

/** Why a command can never be stored; such commands go to the dead-letter topic. */
function rejectionReason(command: MessageSent): string | undefined {
  const payload = messageSendSchema.safeParse({
    clientMessageId: command.clientMessageId,
    otherUserId: command.recipientId,
    text: command.text,
  });
  if (!payload.success) return `invalid command: ${payload.error.issues.map((i) => i.message).join('; ')}`;
  if (command.senderId === '' || command.senderId === command.recipientId) return 'invalid sender';
  if (command.conversationId !== oneToOneConversationId(command.senderId, command.recipientId)) {
    return 'conversationId does not match its participants';
  }
  return undefined;
}

/**
 * message.sent → MongoDB → message.persisted (and replied.in.24hr.first). The bus commits a batch's offsets
 * only after this resolves, so a crash anywhere replays the batch, and the idempotent write absorbs it.
 * Batches of several partitions that queue up behind a write are stored and published together.
 */
export function handleMessageSent(deps: {
  bus: EventBus;
  models: ChatModels;
  logger: Logger;
  writer: SerialWriter;
  heads: ConversationHeads;
  metrics: PersisterMetrics;
}): BatchHandler<typeof Topics.messageSent> {
  const store = deps.writer.merging(async (events: IncomingEvent<typeof Topics.messageSent>[]) => {
    deps.metrics.batchSize.observe(events.length);
    const written = deps.metrics.dbWriteSeconds.startTimer({ kind: 'messages' });
    const stored = await storeMessageBatch(
      deps.models,
      events.map((event) => event.value),
      deps.heads,
    ).catch((error: unknown) => {
      // Expected only from a zombie writer after a rebalance; anything more often points at stale heads.
      if (error instanceof WriteConflictError)
        deps.logger.warn({ reason: error.message, count: events.length }, 'write conflict, batch retried');
      throw error;
    });
    written();
    await deps.bus.publish(
      Topics.messagePersisted,
      stored.messages.map((message, index) => ({
        key: message.conversationId,
        value: message,
        headers: replyHeaders(events[index] as IncomingEvent<typeof Topics.messageSent>),
      })),
    );
    if (stored.rewards.length > 0) {
      await deps.bus.publish(
        Topics.repliedIn24hrFirst,
        stored.rewards.map((reward) => ({ key: reward.conversationId, value: reward })),
      );
      await markRewardsPublished(
        deps.models,
        stored.rewards.map((reward) => reward.messageId),
      );
      deps.logger.info({ count: stored.rewards.length }, 'reply rewards published');
    }
    deps.logger.debug({ count: stored.messages.length }, 'batch stored');
    return events.map(() => undefined);
  });

  return async (events, deadLetter) => {
    const valid: IncomingEvent<typeof Topics.messageSent>[] = [];
    for (const event of events) {
      const reason = rejectionReason(event.value);
      if (reason) await deadLetter(event, reason);
      else valid.push(event);
    }
    if (valid.length > 0) await store(valid);
  };
}
