import { randomUUID } from 'node:crypto';
import {
  type ConversationReadPersisted,
  type MessageNotification,
  type MessagePersisted,
  PREVIEW_LENGTH,
  type PresenceConnection,
} from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { NotificationContext } from '@chat/storage';
import type { NotifierMetrics } from '../metrics.js';
import { ConnectedUsers } from '../presence/connected-users.js';
import { retryDelay } from '../webhook/webhook-sender.js';
import { NotificationWindows, type PendingNotification } from './windows.js';

export interface NotifierDeps {
  /** The recipient's mute and unread count now; undefined when they left the conversation. */
  context: (conversationId: string, userId: string) => Promise<NotificationContext | undefined>;
  /** Posts the notification (and retries it) without making the caller wait. */
  send: (notification: MessageNotification) => void;
  logger: Logger;
  metrics: NotifierMetrics;
}

export interface NotifierSettings {
  coalesceMs: number;
  preview: boolean;
  /** Also the first delay between attempts to read a closing window's context while the database is away. */
  retryBaseMs: number;
}

/** Attempts to read a closing window's context before the notification is dropped (and logged). */
const CONTEXT_ATTEMPTS = 8;

/** Cut on code points, so a preview never ends in half a surrogate pair. */
function previewOf(text: string): string {
  const codePoints = Array.from(text);
  return codePoints.length > PREVIEW_LENGTH ? codePoints.slice(0, PREVIEW_LENGTH).join('') : text;
}

/**
 * Decides who is notified of what: a stored message, for each member but its sender who has no connected socket,
 * opens (or joins) that member's window for the conversation; the member connecting or reading the conversation
 * cancels it; when it closes, a member who muted the conversation, has left it or has nothing unread any more is
 * skipped, and anyone else gets one notification.
 */
export class Notifier {
  private readonly connected = new ConnectedUsers();
  private readonly windows: NotificationWindows;
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly deps: NotifierDeps,
    private readonly settings: NotifierSettings,
  ) {
    this.windows = new NotificationWindows(settings.coalesceMs, (pending) => this.track(this.close(pending)));
  }

  /** Notifications waiting for their window to close. */
  get openWindows(): number {
    return this.windows.size;
  }

  onMessage(message: MessagePersisted): void {
    const members = message.memberIds.length > 0 ? message.memberIds : [message.recipientId ?? ''];
    for (const recipientId of members) {
      if (recipientId === '' || recipientId === message.senderId) continue;
      if (this.connected.has(recipientId)) {
        this.deps.metrics.skipped.inc({ reason: 'connected' });
        continue;
      }
      if (this.windows.add(recipientId, message) === 'coalesced') this.deps.metrics.coalesced.inc();
    }
  }

  onRead(read: ConversationReadPersisted): void {
    this.skip('read', this.windows.cancel(read.readerId, read.conversationId));
  }

  onConnection(record: PresenceConnection): void {
    if (this.connected.apply(record)) this.skip('connected', this.windows.cancel(record.userId));
  }

  /** Shutdown: every open window closes now; resolves once their notifications are handed to `send`. */
  async flush(): Promise<void> {
    this.windows.closeAll();
    while (this.closing.size > 0) await Promise.allSettled([...this.closing]);
  }

  private skip(reason: 'connected' | 'read' | 'muted' | 'not_member', count = 1): void {
    if (count > 0) this.deps.metrics.skipped.inc({ reason }, count);
  }

  private track(closing: Promise<void>): void {
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  private async close(pending: PendingNotification): Promise<void> {
    const { recipientId, conversationId, latest } = pending;
    if (this.connected.has(recipientId)) return this.skip('connected');
    const context = await this.contextOf(pending);
    if (context === undefined) return;
    if (context === 'not_member') return this.skip('not_member');
    if (context.muted) return this.skip('muted');
    // Read on another path (a marker this notifier has not seen yet): nothing left to tell.
    if (context.unreadCount === 0) return this.skip('read');
    this.deps.send({
      type: 'message',
      deliveryId: randomUUID(),
      recipientId,
      conversationId,
      conversationKind: latest.recipientId === null ? 'group' : 'one_to_one',
      messageId: latest.id,
      seq: latest.seq,
      senderId: latest.senderId,
      count: pending.count,
      unreadCount: context.unreadCount,
      ...(this.settings.preview ? { preview: previewOf(latest.text) } : {}),
    });
  }

  /** The context, tried again while the database fails; undefined once it gave up (logged). */
  private async contextOf(
    pending: PendingNotification,
  ): Promise<NotificationContext | 'not_member' | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await this.deps.context(pending.conversationId, pending.recipientId)) ?? 'not_member';
      } catch (error) {
        if (attempt >= CONTEXT_ATTEMPTS) {
          this.deps.logger.error(
            { err: error, recipientId: pending.recipientId, conversationId: pending.conversationId },
            'notification dropped: its conversation could not be read',
          );
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, retryDelay(this.settings.retryBaseMs, attempt)));
      }
    }
  }
}
