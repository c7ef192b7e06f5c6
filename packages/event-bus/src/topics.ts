import { CompactedTopics, type TopicName, Topics } from '@chat/contracts';
import type { Admin } from 'kafkajs';

/** Creates the service's topics that are missing, with `partitions` each; compacted ones as such. */
export async function createMissingTopics(
  admin: Admin,
  topicName: (topic: TopicName) => string,
  partitions: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = Object.values(Topics).filter((topic) => !existing.has(topicName(topic)));
  if (missing.length === 0) return;
  await admin
    .createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topicName(topic),
        numPartitions: partitions,
        configEntries: CompactedTopics.includes(topic) ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    })
    .catch(async (error: unknown) => {
      // Another process may have created them at the same moment: only a topic still missing is an error.
      const now = new Set(await admin.listTopics());
      if (missing.some((topic) => !now.has(topicName(topic)))) throw error;
    });
}
