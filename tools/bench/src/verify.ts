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

/** Reads back every message of the run's own database and checks each acked one is there exactly once. */
export async function verifyStored(
  mongodbUri: string,
  acked: Array<{ clientMessageId: string; id: string }>,
): Promise<StorageCheck> {
  const client = await new MongoClient(mongodbUri).connect();
  try {
    const stored = new Map<string, string[]>();
    const cursor = client
      .db()
      .collection<{ _id: string; clientMessageId: string }>('messages')
      .find({}, { projection: { _id: 1, clientMessageId: 1 } });
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
