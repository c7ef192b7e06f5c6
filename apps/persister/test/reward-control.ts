import type { RepliedIn24hrFirst } from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import { sendStored, type TestSystem, waitFor } from '@chat/testkit';
import { Partitioners } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();

/** The partition the bus's producer (KafkaJS's default partitioner) writes `key` to, on a topic of `partitions`. */
export function partitionOf(key: string, partitions: number): number {
  return partitioner({
    topic: '',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    })),
    message: { key, value: null },
  });
}

/**
 * A positive control for "no (further) reward came": a real reply in a fresh 1-1 conversation on Kafka partition
 * `partition`, whose reward must arrive in `rewards`. Resolves with that reward's message id once it did.
 *
 * Why it is enough: commands and rewards are keyed by conversation, with the same partitioner and partition
 * count, so the control shares `partition` with whatever it controls on both topics. The persister takes a
 * partition's next batch only after the last one's rewards are published, and a partition is read in order; so
 * once the control's reward is read, every reward that earlier commands on that partition caused was read too.
 */
export async function rewardControl(
  system: TestSystem,
  rewards: RepliedIn24hrFirst[],
  partition: number,
): Promise<string> {
  let pair: [string, string];
  do pair = [system.newUser('control-a'), system.newUser('control-b')];
  while (partitionOf(oneToOneConversationId(...pair), system.partitions) !== partition);
  const [a, b] = pair;
  const [clientA, clientB] = await Promise.all([system.connect(a), system.connect(b)]);
  await sendStored(clientA, b, 'control');
  const reply = await sendStored(clientB, a, 'control reply');
  await waitFor(
    () => rewards.some((reward) => reward.messageId === reply.id),
    15_000,
    `the control reward on partition ${partition}`,
  );
  return reply.id;
}
