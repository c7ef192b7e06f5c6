import type { MessageDelivered, MessageDeliveredPersisted } from '@chat/contracts';
import type { ChatModels } from './models.js';

/**
 * Moves each member's `lastDeliveredSeq` forward (`$max`, never past the conversation's latest seq) and returns
 * the marker as stored, one per command. Commands of one member and conversation in a batch are applied once,
 * with their highest seq. A member who is not in the conversation yields `undefined`.
 */
export async function applyDeliveredMarkers(
  models: ChatModels,
  commands: MessageDelivered[],
): Promise<Array<MessageDeliveredPersisted | undefined>> {
  const key = (command: MessageDelivered) => JSON.stringify([command.conversationId, command.userId]);
  const highest = new Map<string, MessageDelivered>();
  for (const command of commands) {
    const seen = highest.get(key(command));
    if (!seen || command.seq > seen.seq) highest.set(key(command), command);
  }
  const stored = new Map<string, MessageDeliveredPersisted | undefined>();
  for (const [id, command] of highest) {
    const conversation = await models.conversations.findOne(
      { _id: command.conversationId, participantIds: command.userId },
      { projection: { lastSeq: 1 } },
    );
    const updated =
      conversation &&
      (await models.conversations.findOneAndUpdate(
        { _id: command.conversationId, 'participants.userId': command.userId },
        { $max: { 'participants.$.lastDeliveredSeq': Math.min(command.seq, conversation.lastSeq) } },
        { returnDocument: 'after', projection: { participants: 1, participantIds: 1 } },
      ));
    const marker = updated?.participants.find((p) => p.userId === command.userId)?.lastDeliveredSeq;
    stored.set(
      id,
      updated
        ? {
            conversationId: command.conversationId,
            userId: command.userId,
            lastDeliveredSeq: marker ?? 0,
            memberIds: updated.participantIds,
          }
        : undefined,
    );
  }
  return commands.map((command) => stored.get(key(command)));
}
