import { ErrorCatalog } from '@chat/contracts';
import type { ChatSocket } from './server.js';

/**
 * Closes each socket when the token it connected with expires, after telling it why (`session:expired`
 * with TOKEN_EXPIRED). One timer for every socket: sockets are filed by the second they expire in, and each
 * tick handles only the seconds that passed.
 */
export class SessionExpiry {
  private readonly dueBySecond = new Map<number, Set<ChatSocket>>();
  private lastTick = Math.floor(Date.now() / 1000);
  private readonly timer: NodeJS.Timeout;

  constructor(tickMs = 1000) {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  track(socket: ChatSocket): void {
    const second = Math.floor(socket.data.tokenExpiresAt / 1000);
    if (second <= this.lastTick) {
      this.expire(socket);
      return;
    }
    const due = this.dueBySecond.get(second) ?? new Set<ChatSocket>();
    due.add(socket);
    this.dueBySecond.set(second, due);
    socket.on('disconnect', this.untrack);
  }

  /** Shared by every socket (called with the socket as `this`): no closure per connection. */
  private readonly untrack = (() => {
    const due = this.dueBySecond;
    return function untrack(this: ChatSocket) {
      const second = Math.floor(this.data.tokenExpiresAt / 1000);
      const sockets = due.get(second);
      sockets?.delete(this);
      if (sockets?.size === 0) due.delete(second);
    };
  })();

  private tick(): void {
    const now = Math.floor(Date.now() / 1000);
    for (let second = this.lastTick + 1; second <= now; second++) {
      const sockets = this.dueBySecond.get(second);
      this.dueBySecond.delete(second);
      for (const socket of sockets ?? []) this.expire(socket);
    }
    this.lastTick = now;
  }

  private expire(socket: ChatSocket): void {
    const { message, retriable } = ErrorCatalog.TOKEN_EXPIRED;
    socket.emit('session:expired', { code: 'TOKEN_EXPIRED', message, retriable });
    socket.disconnect(true);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
