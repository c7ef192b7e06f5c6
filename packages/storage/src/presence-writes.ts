import type { ChatModels } from './models.js';

/** Moves each user's lastSeenAt forward (never back: events may arrive late or twice). */
export async function recordLastSeen(
  models: ChatModels,
  seen: Array<{ userId: string; at: number }>,
): Promise<void> {
  if (seen.length === 0) return;
  await models.userPresence.bulkWrite(
    seen.map(({ userId, at }) => ({
      updateOne: { filter: { _id: userId }, update: { $max: { lastSeenAt: new Date(at) } }, upsert: true },
    })),
    { ordered: false },
  );
}

export async function findLastSeen(models: ChatModels, userIds: string[]): Promise<Map<string, Date>> {
  const docs = await models.userPresence.find({ _id: { $in: userIds } }).toArray();
  return new Map(docs.map((doc) => [doc._id, doc.lastSeenAt]));
}
