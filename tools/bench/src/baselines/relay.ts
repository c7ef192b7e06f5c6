/** Baseline 1: acks and delivers at once, no auth check, no Kafka, no database; the transport's ceiling. */
import { conversationIdOf, runBaselineServer } from './common.js';

let seq = 0;
await runBaselineServer('relay', async (senderId, payload) => {
  seq += 1;
  const conversationId = conversationIdOf(senderId, payload.otherUserId);
  return {
    id: `${conversationId}|${senderId}|${payload.clientMessageId}`,
    conversationId,
    senderId,
    recipientId: payload.otherUserId,
    clientMessageId: payload.clientMessageId,
    text: payload.text,
    seq,
    createdAt: new Date().toISOString(),
  };
});
