import { MongoClient } from 'mongodb';

export interface StorageCheck {
  acked: number;
  /** Acked messages not in the database. */
  lost: number;
  /** Acked messages stored more than once (same client message id). */
  duplicated: number;
  /** Stored under another id than the ack reported. */
  mismatchedIds: number;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Reads back the run's messages (client message ids starting with `runTag`: the database may be a real
 * deployment's) and checks each acked one is there exactly once.
 */
export async function verifyStored(
  mongodbUri: string,
  runTag: string,
  acked: Array<{ clientMessageId: string; id: string }>,
): Promise<StorageCheck> {
  const client = await new MongoClient(mongodbUri).connect();
  try {
    const stored = new Map<string, string[]>();
    const cursor = client
      .db()
      .collection<{ _id: string; clientMessageId: string }>('messages')
      .find(
        { clientMessageId: { $regex: `^${escapeRegex(runTag)}` } },
        { projection: { _id: 1, clientMessageId: 1 } },
      );
    for await (const doc of cursor) {
      stored.set(doc.clientMessageId, [...(stored.get(doc.clientMessageId) ?? []), doc._id]);
    }
    let lost = 0;
    let duplicated = 0;
    let mismatchedIds = 0;
    for (const message of acked) {
      const ids = stored.get(message.clientMessageId) ?? [];
      if (ids.length === 0) lost += 1;
      if (ids.length > 1) duplicated += 1;
      if (ids.length === 1 && ids[0] !== message.id) mismatchedIds += 1;
    }
    return { acked: acked.length, lost, duplicated, mismatchedIds };
  } finally {
    await client.close();
  }
}

export async function dropDatabase(mongodbUri: string): Promise<void> {
  const client = await new MongoClient(mongodbUri).connect();
  try {
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}
