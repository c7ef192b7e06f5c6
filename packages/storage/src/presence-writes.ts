import type { ChatModels } from './models.js';

/** Moves each user's lastSeenAt forward (never back: events may arrive late or twice). */
export async function recordLastSeen(
  models: ChatModels,
  seen: Array<{ userId: string; at: number }>,
): Promise<void> {
  if (seen.length === 0) return;
  await models.UserPresence.collection.bulkWrite(
    seen.map(({ userId, at }) => ({
      updateOne: { filter: { _id: userId }, update: { $max: { lastSeenAt: new Date(at) } }, upsert: true },
    })) as never[],
    { ordered: false },
  );
}

export async function findLastSeen(models: ChatModels, userIds: string[]): Promise<Map<string, Date>> {
  const docs = await models.UserPresence.collection
    .find<{ _id: string; lastSeenAt: Date }>({ _id: { $in: userIds } } as never)
    .toArray();
  return new Map(docs.map((doc) => [doc._id, doc.lastSeenAt]));
}
