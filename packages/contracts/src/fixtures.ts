import type { MessagePersisted, MessageSent } from './events.js';

/**
 * Records for unit tests, with every field set: a 1-1 message from alice to bob as the gateway sends it and as
 * the persister stores it. A test overrides what it is about; a field added to a schema is added here once.
 * Exported as `@chat/contracts/fixtures`, apart from the package's index, so no process imports it by accident.
 */
export function messageSent(overrides: Partial<MessageSent> = {}): MessageSent {
  return {
    conversationId: 'dm_1',
    senderId: 'alice',
    recipientId: 'bob',
    clientMessageId: 'c1',
    text: 'hi',
    sentAt: Date.UTC(2026, 0, 1),
    replyToId: null,
    ...overrides,
  };
}

/** The stored message of `messageSent()`: seq 1, first version, no reactions, no reply. */
export function messagePersisted(overrides: Partial<MessagePersisted> = {}): MessagePersisted {
  const { sentAt, replyToId: _none, ...command } = messageSent();
  return {
    id: 'msg_1',
    ...command,
    seq: 1,
    createdAt: sentAt,
    memberIds: ['alice', 'bob'],
    version: 1,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    replyTo: null,
    changeSeq: 1,
    ...overrides,
  };
}
