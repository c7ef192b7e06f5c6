import type { ConversationKind } from './enums.js';

/**
 * The body of the notifier's webhook request: a message reached a member who had no connected socket. One request
 * may stand for several messages of one conversation (`count`); it names the latest of them.
 */
export interface MessageNotification {
  type: 'message';
  /** The same on every attempt of one notification: de-duplicate by it. */
  deliveryId: string;
  recipientId: string;
  conversationId: string;
  conversationKind: ConversationKind;
  /** The latest message the notification stands for. */
  messageId: string;
  seq: number;
  senderId: string;
  /** Messages of this conversation the notification stands for (coalesced over NOTIFY_COALESCE_MS). */
  count: number;
  /** The recipient's unread count in this conversation when the request was built. */
  unreadCount: number;
  /** The latest message's text cut to PREVIEW_LENGTH characters; absent when NOTIFY_PREVIEW=off. */
  preview?: string;
}

/** Characters of a message's text the notification's `preview` carries. */
export const PREVIEW_LENGTH = 100;

/** The webhook request's headers; the signature is `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const WebhookHeaders = Object.freeze({
  deliveryId: 'X-Chat-Delivery-Id',
  /** Unix seconds of this attempt. */
  timestamp: 'X-Chat-Timestamp',
  signature: 'X-Chat-Signature',
});
