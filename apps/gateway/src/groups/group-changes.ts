import {
  type ConversationDto,
  type GroupAddMembersPayload,
  type GroupChange,
  type GroupChangePersisted,
  type GroupCreatePayload,
  type GroupRemoveMemberPayload,
  isErrorReason,
  type ParticipantDto,
  Topics,
  toConversationUpdatedDto,
  toNewGroupDto,
} from '@chat/contracts';
import { groupConversationId } from '@chat/storage';
import { AppError } from '../errors.js';
import type { CommandRequests } from '../kafka/command-requests.js';

export interface GroupChangeDeps {
  requests: CommandRequests;
}

/**
 * Publishes a group change and resolves with the stored result once the persister reports it; a change the
 * persister refused (not an admin, too many members, no such group…) fails with its catalogued reason.
 */
async function change(deps: GroupChangeDeps, command: GroupChange): Promise<GroupChangePersisted> {
  const stored = await deps.requests.request(Topics.groupChange, command);
  if (stored.refusal !== null) {
    throw new AppError(isErrorReason(stored.refusal) ? stored.refusal : 'INTERNAL');
  }
  return stored;
}

const participantsOf = (stored: GroupChangePersisted): ParticipantDto[] =>
  toConversationUpdatedDto(stored).participants;

export async function createGroup(
  deps: GroupChangeDeps,
  creatorId: string,
  payload: GroupCreatePayload,
): Promise<{ conversation: ConversationDto }> {
  if (payload.memberIds.includes(creatorId)) {
    throw new AppError('notWithYourself', {
      details: [{ path: 'memberIds', message: 'must not include your own user id' }],
    });
  }
  const stored = await change(deps, {
    conversationId: groupConversationId(creatorId, payload.clientRequestId),
    actorId: creatorId,
    action: 'create',
    name: payload.name,
    memberIds: payload.memberIds,
    at: Date.now(),
  });
  return { conversation: toNewGroupDto(toConversationUpdatedDto(stored)) };
}

export async function addMembers(
  deps: GroupChangeDeps,
  actorId: string,
  payload: GroupAddMembersPayload,
): Promise<{ conversationId: string; participants: ParticipantDto[] }> {
  const stored = await change(deps, {
    conversationId: payload.conversationId,
    actorId,
    action: 'add',
    name: null,
    memberIds: payload.memberIds,
    at: Date.now(),
  });
  return { conversationId: stored.conversationId, participants: participantsOf(stored) };
}

export async function removeMember(
  deps: GroupChangeDeps,
  actorId: string,
  payload: GroupRemoveMemberPayload,
): Promise<{ conversationId: string; participants: ParticipantDto[] }> {
  const stored = await change(deps, {
    conversationId: payload.conversationId,
    actorId,
    action: 'remove',
    name: null,
    memberIds: [payload.userId],
    at: Date.now(),
  });
  return { conversationId: stored.conversationId, participants: participantsOf(stored) };
}
