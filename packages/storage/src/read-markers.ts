import type { ConversationRead, ConversationReadPersisted } from '@chat/contracts';
import type { ChatModels } from './models.js';

/**
 * Moves each reader's `lastReadAt` forward (`$max`: a repeated or out-of-order command never moves it back)
 * and returns the marker as stored. A reader who is not a participant, or a conversation that does not exist,
 * yields `undefined` for that command.
 */
export async function applyReadMarkers(
  models: ChatModels,
  commands: ConversationRead[],
): Promise<Array<ConversationReadPersisted | undefined>> {
  const results: Array<ConversationReadPersisted | undefined> = [];
  for (const command of commands) {
    const conversation = await models.conversations.findOne(
      { _id: command.conversationId, participantIds: command.readerId },
      { projection: { participantIds: 1 } },
    );
    const index = conversation?.participantIds.indexOf(command.readerId) ?? -1;
    if (!conversation || index < 0) {
      results.push(undefined);
      continue;
    }
    const readAt = new Date(command.readAt);
    const updated = await models.conversations.findOneAndUpdate(
      { _id: command.conversationId },
      { $max: { [`participants.${index}.lastReadAt`]: readAt, updatedAt: readAt } },
      { returnDocument: 'after', projection: { participants: 1 } },
    );
    const marker = updated?.participants[index]?.lastReadAt;
    results.push({
      conversationId: command.conversationId,
      readerId: command.readerId,
      otherUserId: conversation.participantIds.find((id) => id !== command.readerId) ?? command.readerId,
      lastReadAt: (marker ?? readAt).getTime(),
    });
  }
  return results;
}
