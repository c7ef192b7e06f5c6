import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { Infra } from './targets.js';

const WARM_UP_MS = 8000;

/**
 * Puts some load on the stack's Kafka and database before the first measured target. A freshly started broker
 * runs interpreted code and creates its group-offsets topic on first use; whichever target met that first paid
 * for it (in one fresh-clone run ours, measured second, saw Kafka at 56% of a core at 40 msg/s and a starved load
 * generator, against 29% at 160 msg/s on a warm stack). The kafka-relay baseline measures later, on a warm JVM.
 */
export async function warmUpStack(infra: Infra, runTag: string): Promise<void> {
  const kafka = new Kafka({ brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `${runTag}.warm-up`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${runTag}.warm-up` });
  const mongo = new MongoClient(infra.mongodbUri);
  const database = mongo.db(`${runTag}_warm_up`.replaceAll('-', '_'));
  try {
    await Promise.all([admin.connect(), producer.connect(), consumer.connect(), mongo.connect()]);
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachBatch: async () => {} });
    const until = Date.now() + WARM_UP_MS;
    for (let round = 0; Date.now() < until; round += 1) {
      const records = Array.from({ length: 50 }, (_, index) => ({
        key: `k${index}`,
        value: `${round}:${index}`,
      }));
      await Promise.all([
        producer.send({ topic, messages: records }),
        database.collection('warm_up').insertMany(records.map((record) => ({ ...record }))),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.deleteGroups([`${runTag}.warm-up`]).catch(() => {});
    await admin.disconnect().catch(() => {});
    await database.dropDatabase().catch(() => {});
    await mongo.close();
  }
}
