export { ConversationHeads } from './conversation-heads.js';
export {
  type ConversationAccess,
  type ConversationView,
  findConversationAccess,
  findConversationById,
  findConversationMembers,
  findConversationMessagePage,
  findInboxPage,
  findMessagePage,
  findOneToOneConversation,
  type InboxCursor,
  type MessagePage,
  oneToOneConversationExists,
} from './conversation-reads.js';
export { isTransientDatabaseError } from './database-errors.js';
export { applyDeliveredMarkers } from './delivered-markers.js';
export { applyGroupChange, type GroupChangeResult, type GroupRefusal } from './group-writes.js';
export { groupConversationId, messageId, oneToOneConversationId } from './ids.js';
export {
  applyMessageChange,
  type MessageChangeRefusal,
  type MessageChangeResult,
} from './message-changes.js';
export { toPersisted } from './message-docs.js';
export {
  findChangePage,
  findConversationMessage,
  findMessageConversationId,
  type MemberMessages,
  messageReceipts,
  messageVersions,
} from './message-reads.js';
export {
  markRewardsPublished,
  type StoredBatch,
  type StoreOutcome,
  storeMessageBatch,
  WriteConflictError,
} from './message-writes.js';
export {
  type ChatModels,
  type ConversationDoc,
  chatModels,
  ensureIndexes,
  type MessageDoc,
  type UserPresenceDoc,
} from './models.js';
export { activeMute, applyMutes, findNotificationContext, type NotificationContext } from './mutes.js';
export { findLastSeen, recordLastSeen } from './presence-writes.js';
export { applyReadMarkers } from './read-markers.js';
