import type { GroupChange, GroupRole } from '@chat/contracts';
import { participantsAtRemoval, recordFormerMember } from './former-members.js';
import type { ChatModels, ConversationDoc, ParticipantDoc } from './models.js';

/** Why a group change was not applied. */
export type GroupRefusal =
  | 'no-such-group'
  | 'not-a-group'
  | 'not-a-member'
  | 'not-an-admin'
  | 'too-many-members';

/**
 * A group change as applied: the group after it and who was added or removed (nobody when nothing changed), or
 * why it was refused.
 */
export type GroupChangeResult = { group: ConversationDoc; userIds: string[] } | { refused: GroupRefusal };

const changed = (group: ConversationDoc, userIds: string[]): GroupChangeResult => ({ group, userIds });

/** A participant; one added to an existing group `joinedAt` then, with everything before it read. */
function newParticipant(userId: string, role: GroupRole, joinedAt: Date | null): ParticipantDoc {
  return { userId, role, lastReadAt: joinedAt, lastDeliveredSeq: 0, lastReplyRewardAt: null, joinedAt };
}

/** A group keeps an admin while it has members: the longest-standing member takes over from the last one. */
function withAdmin(participants: ParticipantDoc[]): ParticipantDoc[] {
  if (participants.some((participant) => participant.role === 'admin')) return participants;
  return participants.map((participant, index) =>
    index === 0 ? { ...participant, role: 'admin' } : participant,
  );
}

/**
 * A change asked by someone who is not a participant. One who never was learns nothing, exactly as if there
 * were no such conversation. A removed member knows the group: leaving again is answered with the group as it
 * was at their removal (a retried leave is safe), and nothing changes; anything else is refused.
 */
async function fromOutsider(
  models: ChatModels,
  command: GroupChange,
  group: ConversationDoc,
  leaving: boolean,
): Promise<GroupChangeResult> {
  const former =
    group.kind === 'group' && (group.formerMembers ?? []).some((f) => f.userId === command.actorId);
  if (!former) return { refused: 'no-such-group' };
  if (!leaving) return { refused: 'not-a-member' };
  const participants = await participantsAtRemoval(models, group._id, command.actorId);
  return changed({ ...group, participants }, []);
}

/**
 * Applies one group change and returns the group after it, or why it was refused. Idempotent: a replayed create finds the group it created, adding a member twice adds them once,
 * removing someone who is gone changes nothing. A change that changes nothing names no user (`userIds` empty):
 * nobody is told of it. `maxMembers` counts the members besides the creator.
 *
 * Membership moves by `$push` and `$pull` of single participants, never by rewriting the array, so a read or
 * delivered marker stored at the same moment on another participant is kept.
 */
export async function applyGroupChange(
  models: ChatModels,
  command: GroupChange,
  maxMembers: number,
): Promise<GroupChangeResult> {
  const at = new Date(command.at);
  if (command.action === 'create') {
    const others = [...new Set(command.memberIds)].filter((id) => id !== command.actorId);
    if (others.length > maxMembers) return { refused: 'too-many-members' };
    const participants = [
      newParticipant(command.actorId, 'admin', null),
      ...others.map((id) => newParticipant(id, 'member', null)),
    ];
    const group = await models.conversations.findOneAndUpdate(
      { _id: command.conversationId },
      {
        $setOnInsert: {
          kind: 'group',
          name: command.name ?? '',
          participantIds: participants.map((participant) => participant.userId),
          participants,
          formerMembers: [],
          lastSeq: 0,
          lastMessage: null,
          createdAt: at,
          lastActivityAt: at,
          updatedAt: at,
        },
      },
      { upsert: true, returnDocument: 'after' },
    );
    if (!group) throw new Error(`group ${command.conversationId} vanished after its upsert`);
    return changed(
      group,
      group.participantIds.filter((id) => id !== command.actorId),
    );
  }

  const group = await models.conversations.findOne({ _id: command.conversationId });
  if (!group) return { refused: 'no-such-group' };
  const actor = group.participants.find((participant) => participant.userId === command.actorId);
  const target = command.memberIds[0] ?? '';
  const leaving = command.action === 'remove' && target === command.actorId;
  if (!actor) return fromOutsider(models, command, group, leaving);
  if (group.kind !== 'group') return { refused: 'not-a-group' };
  if (actor.role !== 'admin' && !leaving) return { refused: 'not-an-admin' };

  if (command.action === 'add') {
    const added = [...new Set(command.memberIds)].filter((id) => !group.participantIds.includes(id));
    if (group.participantIds.length + added.length > maxMembers + 1) return { refused: 'too-many-members' };
    if (added.length === 0) return changed(group, []);
    // Added members start with everything before their arrival read: none of it is unread for them.
    const after = await models.conversations.findOneAndUpdate(
      { _id: command.conversationId },
      {
        $push: { participants: { $each: added.map((id) => newParticipant(id, 'member', at)) } },
        $addToSet: { participantIds: { $each: added } },
        $max: { updatedAt: at },
      },
      { returnDocument: 'after' },
    );
    return changed(after ?? group, added);
  }

  if (!group.participantIds.includes(target)) return changed(group, []);
  // What the removed member may still see: the group right after this removal, and the history up to here.
  const remaining = withAdmin(group.participants.filter((participant) => participant.userId !== target));
  await recordFormerMember(models, group, target, remaining, at);
  let after: ConversationDoc | null = await models.conversations.findOneAndUpdate(
    { _id: command.conversationId },
    {
      $pull: { participants: { userId: target }, participantIds: target },
      $push: { formerMembers: { userId: target, untilSeq: group.lastSeq } },
      $max: { updatedAt: at },
    },
    { returnDocument: 'after' },
  );
  // The same hand-over as withAdmin, on the stored array: a marker written meanwhile is kept.
  const successor = after?.participants[0];
  if (after && successor && !after.participants.some((participant) => participant.role === 'admin')) {
    after = await models.conversations.findOneAndUpdate(
      { _id: command.conversationId, 'participants.userId': successor.userId },
      { $set: { 'participants.$.role': 'admin' } },
      { returnDocument: 'after' },
    );
  }
  return changed(after ?? group, [target]);
}
