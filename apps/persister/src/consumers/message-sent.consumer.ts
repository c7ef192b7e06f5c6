import {
  KafkaHeaders,
  type MessagePersisted,
  type MessageSent,
  messageSendSchema,
  type RepliedIn24hrFirst,
  Topics,
} from '@chat/contracts';
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
    ...(command.recipientId === null
      ? { conversationId: command.conversationId }
      : { otherUserId: command.recipientId }),
    text: command.text,
  });
  if (!payload.success) return `invalid command: ${payload.error.issues.map((i) => i.message).join('; ')}`;
  if (command.senderId === '' || command.senderId === command.recipientId) return 'invalid sender';
  // A group message's membership is checked where it is stored, against the group as read in that batch.
  if (
    command.recipientId !== null &&
    command.conversationId !== oneToOneConversationId(command.senderId, command.recipientId)
  ) {
    return 'conversationId does not match its participants';
  }
  return undefined;
}

/** A stored command's message and its reply reward if one is still to be published; or why it was refused. */
type Stored =
  | {
      message: MessagePersisted;
      reward: RepliedIn24hrFirst | undefined;
      /** When the store's database writes finished, ms since the epoch (the `stored-at` trace header). */
      storedAt: string;
    }
  | { refusal: string };

/**
 * message.sent → MongoDB → message.persisted (and replied.in.24hr.first). The bus commits a batch's offsets
 * only after this resolves, so a crash anywhere replays the batch, and the idempotent write absorbs it.
 *
 * Stores run one at a time through the writer, and the batches of several partitions that queue behind a store
 * are stored together by the next one. Each partition's batch then publishes its own facts outside the writer,
 * so one batch's publish overlaps the next batch's store. Facts of one conversation stay in order: they share a
 * partition, whose next batch comes only after this one's handler resolved.
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
    const storedAt = String(Date.now());
    // A reward goes with the first command that yielded its message (a resend in the same batch yields it too).
    const unpublished = new Map(stored.rewards.map((reward) => [reward.messageId, reward]));
    let next = 0;
    return events.map((_event, index): Stored => {
      // Refused: set aside by the caller. Possible only when a member was removed between the gateway's check
      // and the write; the sender's retry is then refused by the gateway with FORBIDDEN.
      const refusal = stored.refused.get(index);
      if (refusal) return { refusal };
      const message = stored.messages[next++] as MessagePersisted;
      const reward = unpublished.get(message.id);
      unpublished.delete(message.id);
      return { message, reward, storedAt };
    });
  });

  return async (events, deadLetter) => {
    const receivedAt = String(Date.now());
    const valid: IncomingEvent<typeof Topics.messageSent>[] = [];
    for (const event of events) {
      const reason = rejectionReason(event.value);
      if (reason) await deadLetter(event, reason);
      else valid.push(event);
    }
    if (valid.length === 0) return;
    const results = await store(valid);
    const stored: Array<Exclude<Stored, { refusal: string }> & { index: number }> = [];
    for (const [index, result] of results.entries()) {
      const event = valid[index] as IncomingEvent<typeof Topics.messageSent>;
      if ('refusal' in result) await deadLetter(event, result.refusal);
      else stored.push({ ...result, index });
    }
    await deps.bus.publish(
      Topics.messagePersisted,
      stored.map(({ message, storedAt, index }) => ({
        key: message.conversationId,
        value: message,
        headers: {
          ...replyHeaders(valid[index] as IncomingEvent<typeof Topics.messageSent>),
          // Informational trace for `pnpm bench` (docs/protocol.md).
          [KafkaHeaders.receivedAt]: receivedAt,
          [KafkaHeaders.storedAt]: storedAt,
        },
      })),
    );
    const rewards = stored.flatMap(({ reward }) => (reward ? [reward] : []));
    if (rewards.length > 0) {
      await deps.bus.publish(
        Topics.repliedIn24hrFirst,
        rewards.map((reward) => ({ key: reward.conversationId, value: reward })),
      );
      await markRewardsPublished(
        deps.models,
        rewards.map((reward) => reward.messageId),
      );
      deps.logger.info({ count: rewards.length }, 'reply rewards published');
    }
    deps.logger.debug({ count: stored.length }, 'batch stored');
  };
}
