import { type ConversationMutePayload, type ConversationUnmutePayload, Topics } from '@chat/contracts';
import type { CommandRequests } from '../kafka/command-requests.js';
import type { ConversationMembers } from './conversation-members.js';

export interface MuteDeps {
  members: ConversationMembers;
  requests: CommandRequests;
}

/**
 * Stores the member's mute of a conversation (for all their devices), or its end; resolves once it is stored, so
 * the notifier honours it for every message stored after the ack. The persister refuses a non-member too, but
 * the check here answers NOT_FOUND or FORBIDDEN at once.
 */
export async function setMute(
  deps: MuteDeps,
  userId: string,
  payload: ConversationMutePayload | ConversationUnmutePayload,
): Promise<object> {
  await deps.members.require(payload.conversationId, userId);
  const until = 'until' in payload && payload.until !== null ? Date.parse(payload.until) : null;
  await deps.requests.request(Topics.conversationMute, {
    conversationId: payload.conversationId,
    userId,
    muted: 'until' in payload,
    until,
  });
  return {};
}
