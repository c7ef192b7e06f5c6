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
});
