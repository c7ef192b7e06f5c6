/** One emoji on a message and who holds it, in the order they reacted. */
export interface Reaction {
  emoji: string;
  userIds: string[];
}

/**
 * The reactions after `userId` set their whole set to `emojis` (XEP-0444): they leave every emoji not in it and
 * join, at the end, each one of it they did not hold. Emojis keep the order they were first added, new ones
 * follow in the order given, and an emoji nobody holds any more is dropped.
 */
export function withReactions(reactions: Reaction[], userId: string, emojis: string[]): Reaction[] {
  const wanted = new Set(emojis);
  const next = reactions.map(({ emoji, userIds }) => {
    if (!wanted.has(emoji)) return { emoji, userIds: userIds.filter((id) => id !== userId) };
    return { emoji, userIds: userIds.includes(userId) ? userIds : [...userIds, userId] };
  });
  for (const emoji of wanted) {
    if (!next.some((reaction) => reaction.emoji === emoji)) next.push({ emoji, userIds: [userId] });
  }
  return next.filter((reaction) => reaction.userIds.length > 0);
}
