import type { ConversationMute, ConversationMutePersisted } from '@chat/contracts';
import type { ChatModels, ParticipantDoc } from './models.js';
import { countUnread } from './unread.js';

/** A participant's mute as it applies at `now`: its end (null: until unmuted), or null when not muted. */
export function activeMute(
  participant: Pick<ParticipantDoc, 'mute'> | undefined,
  now: number,
): { until: Date | null } | null {
  const mute = participant?.mute;
  if (!mute) return null;
  const until = mute.until ?? null;
  return until === null || until.getTime() > now ? { until } : null;
}

/**
 * Stores each member's mute (or its removal) on their participant entry, found by user id, and returns it as
 * stored; a later command of the same member replaces an earlier one. A member who is not in the conversation,
 * or a conversation that does not exist, yields `undefined` for that command.
 */
export async function applyMutes(
  models: ChatModels,
  commands: ConversationMute[],
): Promise<Array<ConversationMutePersisted | undefined>> {
  const results: Array<ConversationMutePersisted | undefined> = [];
  for (const command of commands) {
    const until = command.until === null ? null : new Date(command.until);
    const updated = await models.conversations.updateOne(
      { _id: command.conversationId, 'participants.userId': command.userId },
      {
        $set: { 'participants.$.mute': command.muted ? { until } : null },
        // A client catching up (inbox `updatedSince`) sees the conversation changed.
        $max: { updatedAt: new Date() },
      },
    );
    results.push(
      updated.matchedCount === 0
        ? undefined
        : {
            conversationId: command.conversationId,
            userId: command.userId,
            muted: command.muted,
            until: command.muted ? command.until : null,
          },
    );
  }
  return results;
}

/** What a notification needs to know about its recipient's side of the conversation when it is sent. */
export interface NotificationContext {
  muted: boolean;
  unreadCount: number;
}

/**
 * The recipient's mute and unread count in a conversation; undefined when they are no longer a member (or the
 * conversation is gone).
 */
export async function findNotificationContext(
  models: ChatModels,
  conversationId: string,
  userId: string,
): Promise<NotificationContext | undefined> {
  const conversation = await models.conversations.findOne(
    { _id: conversationId, participantIds: userId },
    { projection: { participants: 1 } },
  );
  const me = conversation?.participants.find((participant) => participant.userId === userId);
  if (!me) return undefined;
  const unreadCount = await countUnread(models, conversationId, userId, me.lastReadAt);
  return { muted: activeMute(me, Date.now()) !== null, unreadCount };
}
