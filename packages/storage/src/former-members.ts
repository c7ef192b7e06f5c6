import type { ChatModels, ConversationDoc, FormerMemberDoc, ParticipantDoc } from './models.js';

/** One document per group and former member (the id holds both, unambiguously). */
export const formerMemberId = (conversationId: string, userId: string) =>
  JSON.stringify([conversationId, userId]);

/**
 * Keeps what a member being removed may still see of the group: its participants (with their markers) right
 * after the removal, and the last seq they may read. Written before the removal itself, so a removal replayed
 * after a crash between the two writes it again; a later removal of the same member replaces it.
 */
export async function recordFormerMember(
  models: ChatModels,
  group: ConversationDoc,
  userId: string,
  participantsAfter: ParticipantDoc[],
  at: Date,
): Promise<void> {
  await models.formerMembers.replaceOne(
    { _id: formerMemberId(group._id, userId) },
    {
      conversationId: group._id,
      userId,
      untilSeq: group.lastSeq,
      removedAt: at,
      participants: participantsAfter.map(({ userId: id, role, lastReadAt, lastDeliveredSeq, joinedAt }) => ({
        userId: id,
        role: role ?? 'member',
        lastReadAt: lastReadAt ?? null,
        lastDeliveredSeq: lastDeliveredSeq ?? 0,
        lastReplyRewardAt: null,
        joinedAt: joinedAt ?? null,
      })),
    },
    { upsert: true },
  );
}

/**
 * The group's participants as `userId` saw them when they were last removed. Empty for a removal stored before
 * these records existed: a former member is never shown today's members.
 */
export async function participantsAtRemoval(
  models: ChatModels,
  conversationId: string,
  userId: string,
): Promise<ParticipantDoc[]> {
  const record: FormerMemberDoc | null = await models.formerMembers.findOne({
    _id: formerMemberId(conversationId, userId),
  });
  return record?.participants ?? [];
}
