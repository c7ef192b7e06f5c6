import type { PresenceConnection, PresenceGateway } from '@chat/contracts';

export interface PresenceChange {
  userId: string;
  online: boolean;
  /** When the change happened: the connection event's time, or a dead gateway's last heartbeat. */
  at: number;
}

export interface PresenceViewOptions {
  /** This process: always alive to itself. */
  gatewayId: string;
  /** A gateway with no heartbeat for this long is dead, and its users are offline. */
  ttlMs: number;
  now?: () => number;
}

/**
 * Who is online, across every gateway, rebuilt from the presence topics. A user is online while at least
 * one live gateway reports a connection of theirs. Pure state: the caller feeds events and clock ticks, and
 * gets back the users whose state changed.
 */
export class PresenceView {
  /**
   * gatewayId → the users it reports online, with their socket count there. Keyed by gateway, not by user:
   * gateways are few and users many, so each online user costs one map entry rather than a map of their gateways.
   */
  private readonly usersByGateway = new Map<string, Map<string, number>>();
  /** gatewayId → last heartbeat, or undefined once it said goodbye or expired. */
  private readonly heartbeats = new Map<string, number | undefined>();
  private readonly now: () => number;

  constructor(private readonly options: PresenceViewOptions) {
    this.now = options.now ?? Date.now;
  }

  isOnline(userId: string): boolean {
    for (const [gatewayId, users] of this.usersByGateway) {
      if (users.has(userId) && this.isAlive(gatewayId)) return true;
    }
    return false;
  }

  /**
   * Where else the user is connected: the live gateways other than this one that report them online, and their
   * sockets there. What makes a per-user limit hold for the user as a whole rather than per gateway.
   */
  elsewhere(userId: string): { gateways: number; sockets: number } {
    let gateways = 0;
    let sockets = 0;
    for (const [gatewayId, users] of this.usersByGateway) {
      const count = users.get(userId);
      if (count === undefined || gatewayId === this.options.gatewayId || !this.isAlive(gatewayId)) continue;
      gateways += 1;
      sockets += Math.max(count, 1);
    }
    return { gateways, sockets };
  }

  /** Alive until it says goodbye or `expire()` finds it silent: state changes only through events and ticks. */
  private isAlive(gatewayId: string): boolean {
    return gatewayId === this.options.gatewayId || this.heartbeats.get(gatewayId) !== undefined;
  }

  private usersOf(gatewayId: string): string[] {
    return [...(this.usersByGateway.get(gatewayId)?.keys() ?? [])];
  }

  /** Applies `apply` and reports the users whose online state it flipped. */
  private track(userIds: string[], at: number, apply: () => void): PresenceChange[] {
    const before = new Map(userIds.map((userId) => [userId, this.isOnline(userId)]));
    apply();
    return userIds
      .filter((userId) => before.get(userId) !== this.isOnline(userId))
      .map((userId) => ({ userId, online: this.isOnline(userId), at }));
  }

  applyConnection(event: PresenceConnection): PresenceChange[] {
    return this.track([event.userId], event.at, () => {
      const users = this.usersByGateway.get(event.gatewayId) ?? new Map<string, number>();
      if (event.online) users.set(event.userId, event.sockets);
      else users.delete(event.userId);
      if (users.size > 0) this.usersByGateway.set(event.gatewayId, users);
      else this.usersByGateway.delete(event.gatewayId);
      // A connection event is as good as a heartbeat from its gateway.
      if (event.online && event.gatewayId !== this.options.gatewayId) this.touch(event.gatewayId, event.at);
    });
  }

  applyGateway(event: PresenceGateway): PresenceChange[] {
    return this.track(this.usersOf(event.gatewayId), event.at, () => {
      if (event.alive) this.touch(event.gatewayId, event.at);
      else this.heartbeats.set(event.gatewayId, undefined);
    });
  }

  private touch(gatewayId: string, at: number): void {
    const previous = this.heartbeats.get(gatewayId);
    if (previous === undefined || at > previous) this.heartbeats.set(gatewayId, at);
  }

  /**
   * Expires gateways silent for longer than the TTL. Returns each one with its users, now offline, and the
   * last moment they were seen (the gateway's last heartbeat).
   */
  expire(): Array<{
    gatewayId: string;
    lastHeartbeat: number;
    changes: PresenceChange[];
    userIds: string[];
  }> {
    const expired = [];
    for (const [gatewayId, heartbeat] of this.heartbeats) {
      if (heartbeat === undefined || this.now() - heartbeat < this.options.ttlMs) continue;
      const userIds = this.usersOf(gatewayId);
      const changes = this.track(userIds, heartbeat, () => {
        this.heartbeats.set(gatewayId, undefined);
        this.usersByGateway.delete(gatewayId);
      });
      expired.push({ gatewayId, lastHeartbeat: heartbeat, changes, userIds });
    }
    return expired;
  }
}
