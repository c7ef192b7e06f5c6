import type { ConversationRead, ConversationReadPersisted } from '@chat/contracts';
import type { ChatModels } from './models.js';

/**
 * Moves each reader's `lastReadAt` forward (`$max`: a repeated or out-of-order command never moves it back)
 * and returns the marker as stored. Reading implies delivered: the reader's `lastDeliveredSeq` moves up to the
 * conversation's latest seq too. A reader who is not a member, or a conversation that does not exist, yields
 * `undefined` for that command. The reader's entry is found by its user id (the positional `$`), never by an
 * index, which a membership change may shift.
 */
export async function applyReadMarkers(
  models: ChatModels,
  commands: ConversationRead[],
): Promise<Array<ConversationReadPersisted | undefined>> {
  const results: Array<ConversationReadPersisted | undefined> = [];
  for (const command of commands) {
    const conversation = await models.conversations.findOne(
      { _id: command.conversationId, participantIds: command.readerId },
      { projection: { lastSeq: 1 } },
    );
    const readAt = new Date(command.readAt);
    const updated =
      conversation &&
      (await models.conversations.findOneAndUpdate(
        { _id: command.conversationId, 'participants.userId': command.readerId },
        {
          $max: {
            'participants.$.lastReadAt': readAt,
            'participants.$.lastDeliveredSeq': conversation.lastSeq,
            updatedAt: readAt,
          },
        },
        { returnDocument: 'after', projection: { kind: 1, participants: 1, participantIds: 1 } },
      ));
    if (!updated) {
      results.push(undefined);
      continue;
    }
    const marker = updated.participants.find((p) => p.userId === command.readerId)?.lastReadAt;
    results.push({
      conversationId: command.conversationId,
      readerId: command.readerId,
      otherUserId:
        updated.kind === 'group'
          ? null
          : (updated.participantIds.find((id) => id !== command.readerId) ?? null),
      lastReadAt: (marker ?? readAt).getTime(),
      memberIds: updated.participantIds,
    });
  }
  return results;
}
