import type { ErrorMessageKey, GroupChange, GroupChangePersisted } from '@chat/contracts';
import type { GroupChangeResult, GroupRefusal } from '@chat/storage';

/** The catalogued reason the gateway answers each refusal with; the fact carries it to whichever gateway waits. */
const refusalReasons = {
  'no-such-group': 'noSuchConversation',
  'not-a-group': 'notAGroup',
  'not-a-member': 'notAMember',
  'not-an-admin': 'notAGroupAdmin',
  'too-many-members': 'groupTooLarge',
} as const satisfies Record<GroupRefusal, ErrorMessageKey>;

/** The `group.change.persisted` fact of an applied (or refused) command. */
export function groupChangeFact(command: GroupChange, result: GroupChangeResult): GroupChangePersisted {
  const { conversationId, actorId, action } = command;
  if ('refused' in result) {
    return {
      conversationId,
      actorId,
      action,
      userIds: command.memberIds,
      name: '',
      participants: [],
      createdAt: command.at,
      refusal: refusalReasons[result.refused],
    };
  }
  const { group, userIds } = result;
  return {
    conversationId,
    actorId,
    action,
    userIds,
    name: group.name ?? '',
    participants: group.participants.map((participant) => ({
      userId: participant.userId,
      role: participant.role ?? 'member',
      lastReadAt: participant.lastReadAt ? participant.lastReadAt.getTime() : null,
      lastDeliveredSeq: participant.lastDeliveredSeq ?? 0,
    })),
    createdAt: group.createdAt.getTime(),
    refusal: null,
  };
}
