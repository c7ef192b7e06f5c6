export { findMessagePage, findOneToOneConversation, toMessageDto } from './conversation-reads.js';
export { messageId, oneToOneConversationId } from './ids.js';
export { SeqConflictError, storeMessageBatch } from './message-writes.js';
export {
  type ChatModels,
  type ConversationDoc,
  chatModels,
  ensureIndexes,
  type MessageDoc,
} from './models.js';
