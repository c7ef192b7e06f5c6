/** Input limits, shared by the gateway's validation and by clients. */
export const Limits = Object.freeze({
  /** Unicode code points in a message's text (trimmed text must not be empty). */
  messageTextMaxLength: 4000,
  clientMessageIdMaxLength: 64,
  userIdMaxLength: 128,
  historyPageDefault: 10,
  historyPageMax: 100,
  inboxPageDefault: 20,
  inboxPageMax: 100,
  presenceSubscribeMax: 100,
  /** Code points in a group's name (trimmed name must not be empty). */
  groupNameMaxLength: 100,
  /**
   * Most member ids one request may carry; the group size limit itself is the persister's
   * MAX_GROUP_MEMBERS (default 256 besides the creator).
   */
  groupMemberIdsMax: 1000,
  conversationIdMaxLength: 128,
  /**
   * Highest seq a client may name (15 digits, as in history queries): far above any conversation's length, and
   * below what an Avro long carries in JavaScript.
   */
  seqMax: 999_999_999_999_999,
  /** Characters of an inbox cursor (its position and the server's signature). */
  inboxCursorMaxLength: 400,
  /** A typing indicator expires this long after its last refresh. */
  typingExpiryMs: 5000,
  /** Typing events (start and stop together) a socket may send per window; more are RATE_LIMITED. */
  typingEventsPerWindow: 10,
  typingRateWindowMs: 5000,
  /** Code points of a quoted message a reply keeps. */
  replyQuoteMaxLength: 100,
  /** Emojis one user may hold on one message. */
  reactionsPerUserMax: 20,
  /** Code points of one reaction emoji. */
  reactionEmojiMaxLength: 32,
  /** Changes (and earlier versions) one page of `/changes` holds at most, and by default. */
  changesPageMax: 100,
  changesPageDefault: 50,
});
