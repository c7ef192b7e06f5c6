import { CompactedTopics, type TopicName, Topics } from '@chat/contracts';
import { pollUntil } from '@chat/runtime';
import type { Admin, ITopicConfig } from 'kafkajs';

/**
 * How long a process waits for topics to show in the cluster's metadata after a creation that failed because
 * another process was creating them at the same moment (or the metadata lagged behind its own creation).
 */
const TOPICS_SHOW_WITHIN_MS = 10_000;

/**
 * How long a delivery topic keeps its records: a gateway reads only what arrives while it runs (a restarted one
 * starts at the end, and its clients catch up from storage), so an hour is plenty.
 */
const DELIVERY_RETENTION_MS = 60 * 60 * 1000;

/** Creates the service's topics that are missing, with `partitions` each; compacted ones as such. */
export function createMissingTopics(
  admin: Admin,
  topicName: (topic: TopicName) => string,
  partitions: number,
): Promise<void> {
  return createIfMissing(
    admin,
    Object.values(Topics).map((topic) => ({
      topic: topicName(topic),
      numPartitions: partitions,
      configEntries: CompactedTopics.includes(topic) ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
    })),
  );
}

/**
 * Creates a gateway's delivery topic if missing: one partition (one reader, and every conversation's facts in
 * order), kept an hour.
 */
export function createDeliveryTopic(admin: Admin, topic: string): Promise<void> {
  return createIfMissing(admin, [
    {
      topic,
      numPartitions: 1,
      configEntries: [{ name: 'retention.ms', value: String(DELIVERY_RETENTION_MS) }],
    },
  ]);
}

async function createIfMissing(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter(({ topic }) => !existing.has(topic));
  if (missing.length === 0) return;
  await admin.createTopics({ waitForLeaders: true, topics: missing }).catch(async (error: unknown) => {
    // Only a topic still missing once the metadata had time to show it is an error.
    const shown = await pollUntil(
      async () => {
        const now = new Set(await admin.listTopics());
        return missing.every(({ topic }) => now.has(topic));
      },
      { timeoutMs: TOPICS_SHOW_WITHIN_MS, intervalMs: 200 },
    );
    if (!shown) throw error;
  });
}
