import type { MessagePersisted } from '@chat/contracts';
import { LRUCache } from 'lru-cache';

/** One recipient's waiting notification for one conversation: the latest message, and how many it stands for. */
export interface PendingNotification {
  recipientId: string;
  conversationId: string;
  latest: MessagePersisted;
  count: number;
}

interface OpenWindow extends PendingNotification {
  timer: NodeJS.Timeout;
}

/** Windows closed per recipient and conversation whose highest seq is remembered, to drop redelivered facts. */
const CLOSED_REMEMBERED = 100_000;

/**
 * Coalescing: per recipient and conversation, the first message that needs a notification opens a window of
 * `windowMs`; messages that follow join it; when it closes, `onClose` gets one notification naming the latest
 * message and counting them all. A window can be cancelled (the recipient connected, or read the conversation).
 */
export class NotificationWindows {
  private readonly open = new Map<string, OpenWindow>();
  /** recipientId → keys of their open windows, to cancel them all when they connect. */
  private readonly keysByRecipient = new Map<string, Set<string>>();
  /**
   * Highest seq of each recently closed or cancelled window: a fact redelivered after its window ended (a
   * persister's replay, a client's resend) opens no second notification.
   */
  private readonly done = new LRUCache<string, number>({ max: CLOSED_REMEMBERED });
  /** Once set, windows close as soon as they open: the notifier is shutting down. */
  private closing = false;

  constructor(
    private readonly windowMs: number,
    private readonly onClose: (notification: PendingNotification) => void,
  ) {}

  private static key(recipientId: string, conversationId: string): string {
    return JSON.stringify([recipientId, conversationId]);
  }

  /** Adds a message for a recipient: whether it opened a window, joined one, or was seen already. */
  add(recipientId: string, message: MessagePersisted): 'opened' | 'coalesced' | 'duplicate' {
    const key = NotificationWindows.key(recipientId, message.conversationId);
    const window = this.open.get(key);
    if (window) {
      if (message.seq <= window.latest.seq) return 'duplicate';
      window.latest = message;
      window.count += 1;
      return 'coalesced';
    }
    if (message.seq <= (this.done.get(key) ?? 0)) return 'duplicate';
    const opened: OpenWindow = {
      recipientId,
      conversationId: message.conversationId,
      latest: message,
      count: 1,
      timer: setTimeout(() => this.close(key), this.closing ? 0 : this.windowMs),
    };
    this.open.set(key, opened);
    const keys = this.keysByRecipient.get(recipientId) ?? new Set<string>();
    keys.add(key);
    this.keysByRecipient.set(recipientId, keys);
    return 'opened';
  }

  /** Cancels the recipient's windows (of one conversation, or all); returns how many were open. */
  cancel(recipientId: string, conversationId?: string): number {
    const keys =
      conversationId === undefined
        ? [...(this.keysByRecipient.get(recipientId) ?? [])]
        : [NotificationWindows.key(recipientId, conversationId)];
    let cancelled = 0;
    for (const key of keys) {
      const window = this.end(key);
      if (window) cancelled += 1;
    }
    return cancelled;
  }

  /** Closes every open window now, and any opened from now on at once: the notifier is shutting down. */
  closeAll(): void {
    this.closing = true;
    for (const key of [...this.open.keys()]) this.close(key);
  }

  get size(): number {
    return this.open.size;
  }

  private close(key: string): void {
    const window = this.end(key);
    if (!window) return;
    const { timer: _, ...notification } = window;
    this.onClose(notification);
  }

  private end(key: string): OpenWindow | undefined {
    const window = this.open.get(key);
    if (!window) return undefined;
    clearTimeout(window.timer);
    this.open.delete(key);
    const keys = this.keysByRecipient.get(window.recipientId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByRecipient.delete(window.recipientId);
    this.done.set(key, Math.max(window.latest.seq, this.done.get(key) ?? 0));
    return window;
  }
}
