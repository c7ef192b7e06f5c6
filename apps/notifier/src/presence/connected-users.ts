import type { PresenceConnection } from '@chat/contracts';

/**
 * Who has a connected socket right now, from the `presence.connection` records alone: a user is connected while
 * some gateway's latest record for them says online. No debounce, unlike the presence users see: a socket that
 * closed a moment ago is not connected, so its user gets notified. A gateway that died keeps its users here until
 * a live gateway expires it and records them offline on its behalf (PRESENCE_TTL_MS).
 */
export class ConnectedUsers {
  /** userId → the gateways that report a socket of theirs. */
  private readonly gatewaysByUser = new Map<string, Set<string>>();

  has(userId: string): boolean {
    return this.gatewaysByUser.has(userId);
  }

  /** Applies one record; returns whether its user is connected after it. */
  apply(record: PresenceConnection): boolean {
    const gateways = this.gatewaysByUser.get(record.userId) ?? new Set<string>();
    if (record.online) gateways.add(record.gatewayId);
    else gateways.delete(record.gatewayId);
    if (gateways.size > 0) this.gatewaysByUser.set(record.userId, gateways);
    else this.gatewaysByUser.delete(record.userId);
    return gateways.size > 0;
  }
}
