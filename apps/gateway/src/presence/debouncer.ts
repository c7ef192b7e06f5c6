import type { PresenceChange } from '@chat/event-bus';

/**
 * Holds back "offline" for `delayMs`: a user who reconnects within it (a flapping connection, a page reload)
 * produces no notification at all. "Online" is announced at once, unless it only cancels a pending offline.
 */
export class OfflineDebouncer {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly delayMs: number,
    private readonly announce: (change: PresenceChange) => void,
  ) {}

  push(change: PresenceChange): void {
    const pendingOffline = this.pending.get(change.userId);
    if (change.online) {
      if (pendingOffline) {
        clearTimeout(pendingOffline);
        this.pending.delete(change.userId);
        return;
      }
      this.announce(change);
      return;
    }
    if (pendingOffline) return;
    this.pending.set(
      change.userId,
      setTimeout(() => {
        this.pending.delete(change.userId);
        this.announce(change);
      }, this.delayMs),
    );
  }

  clear(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
