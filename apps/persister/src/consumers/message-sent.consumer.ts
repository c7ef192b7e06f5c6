import {
  KafkaHeaders,
  type MessagePersisted,
  type MessageSent,
  messageSentCommandSchema,
  type RepliedIn24hrFirst,
  Topics,
} from '@chat/contracts';
import type { BatchHandler, IncomingEvent } from '@chat/event-bus';
import {
  markRewardsPublished,
  oneToOneConversationId,
  storeMessageBatch,
  WriteConflictError,
} from '@chat/storage';
import type { Answer } from '../answers.js';
import type { HandlerDeps } from '../handlers.js';

/** Why a command can never be stored; such commands go to the dead-letter topic. */
function rejectionReason(command: MessageSent): string | undefined {
  const checked = messageSentCommandSchema.safeParse(command);
  if (!checked.success) {
    const issues = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return `invalid command: ${issues.join('; ')}`;
  }
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
type Stored = { event: IncomingEvent<typeof Topics.messageSent> } & (
  | {
      message: MessagePersisted;
      reward: RepliedIn24hrFirst | undefined;
      /** When the store's database writes finished, ms since the epoch (the `stored-at` trace header). */
      storedAt: string;
    }
  | { refusal: string }
);

/**
 * message.sent → MongoDB → message.persisted (and replied.in.24hr.first). The bus commits a batch's offsets
 * only after this resolves, so a crash anywhere replays the batch, and the idempotent write absorbs it.
 *
 * Stores run one at a time through the writer, and the batches of several partitions that queue behind a store
 * are stored together by the next one. Each partition's batch then publishes its own facts outside the writer,
 * so one batch's publish overlaps the next batch's store. Facts of one conversation stay in order: they share a
 * partition, whose next batch comes only after this one's handler resolved.
 */
export function handleMessageSent(
  deps: Pick<HandlerDeps, 'bus' | 'answers' | 'models' | 'logger' | 'writer' | 'heads' | 'metrics'>,
): BatchHandler<typeof Topics.messageSent> {
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
    const eventOf = new Map(events.map((event) => [event.value, event]));
    return stored.outcomes.map((outcome): Stored => {
      const event = eventOf.get(outcome.command) as IncomingEvent<typeof Topics.messageSent>;
      // Refused: set aside by the caller. Possible only when a member was removed between the gateway's check
      // and the write; the sender's retry is then refused by the gateway with FORBIDDEN.
      if ('refusal' in outcome) return { event, refusal: outcome.refusal };
      const reward = unpublished.get(outcome.message.id);
      unpublished.delete(outcome.message.id);
      return { event, message: outcome.message, reward, storedAt };
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
    const answers: Answer<typeof Topics.messageSent>[] = [];
    const rewards: RepliedIn24hrFirst[] = [];
    for (const result of await store(valid)) {
      if ('refusal' in result) {
        await deadLetter(result.event, result.refusal);
        continue;
      }
      answers.push({
        command: result.event,
        fact: result.message,
        // Informational trace for `pnpm bench` (docs/protocol.md).
        headers: { [KafkaHeaders.receivedAt]: receivedAt, [KafkaHeaders.storedAt]: result.storedAt },
      });
      if (result.reward) rewards.push(result.reward);
    }
    await deps.answers.publish(Topics.messageSent, answers);
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
    deps.logger.debug({ count: answers.length }, 'batch stored');
  };
}
