import { type PresenceDto, Topics } from '@chat/contracts';
import { type EventBus, followPresence, type PresenceChange, PresenceView } from '@chat/event-bus';
import type { Logger } from '@chat/runtime';
import { type ChatModels, findLastSeen } from '@chat/storage';
import type { GatewayMetrics } from '../metrics.js';
import { userOfRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';
import { OfflineDebouncer } from './debouncer.js';

export interface PresenceSettings {
  gatewayId: string;
  heartbeatMs: number;
  ttlMs: number;
  offlineDebounceMs: number;
}

/** Sockets watching a user's presence join this room; updates are emitted to it. */
export const presenceRoom = (userId: string) => `presence:${userId}`;

/**
 * Presence across gateways. This gateway publishes its users' connection changes and its heartbeats to
 * compacted topics, reads everyone's (from the beginning, to rebuild the view on start), expires gateways that
 * went silent, and pushes debounced changes to watching sockets.
 */
export class PresenceService {
  private readonly view: PresenceView;
  private readonly debouncer: OfflineDebouncer;
  /** Last offline time seen per user, fresher than MongoDB while the persister catches up. */
  private readonly lastOffline = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly deps: {
      bus: EventBus;
      io: ChatServer;
      models: ChatModels;
      logger: Logger;
      metrics: GatewayMetrics;
    },
    private readonly settings: PresenceSettings,
  ) {
    this.view = new PresenceView({ gatewayId: settings.gatewayId, ttlMs: settings.ttlMs });
    this.debouncer = new OfflineDebouncer(settings.offlineDebounceMs, (change) => this.announce(change));
    this.followUserRooms();
  }

  /**
   * A user is online on this gateway while their user room here holds a socket (every authenticated socket
   * joins it). The adapter reports each socket joining and leaving the room, with the room's size already
   * updated, so this needs no count of our own and no listener on each socket. Every change is published with
   * the count, which other gateways add up to hold the user's socket cap across gateways.
   */
  private followUserRooms(): void {
    const { adapter } = this.deps.io.of('/');
    const publishIfUserRoom = (room: string) => {
      const userId = userOfRoom(room);
      if (userId !== undefined) void this.publishConnection(userId, adapter.rooms.get(room)?.size ?? 0);
    };
    adapter.on('join-room', publishIfUserRoom);
    adapter.on('leave-room', publishIfUserRoom);
  }

  /** Where else the user is connected (other live gateways, and their sockets there). */
  /** The gateways holding a socket of any of these users: where a fact for them is delivered. */
  gatewaysOf(userIds: Iterable<string>): Set<string> {
    return this.view.gatewaysOf(userIds);
  }

  elsewhere(userId: string): { gateways: number; sockets: number } {
    return this.view.elsewhere(userId);
  }

  /**
   * The part of a per-user allowance this gateway may give: the user's whole allowance split evenly between
   * the gateways they are connected to, so N gateways never give N allowances.
   */
  shareOf(userId: string): number {
    return 1 / (1 + this.view.elsewhere(userId).gateways);
  }

  /** Users with a socket on this gateway. */
  private localUsers(): string[] {
    return [...this.deps.io.of('/').adapter.rooms.keys()].flatMap((room) => userOfRoom(room) ?? []);
  }

  async start(): Promise<void> {
    await followPresence(this.deps.bus, {
      groupId: `gateway-${this.settings.gatewayId}-presence`,
      logger: this.deps.logger,
      onConnection: (record) => {
        if (!record.online) this.rememberOffline(record.userId, record.at);
        this.push(this.view.applyConnection(record));
      },
      onGateway: (record) => this.push(this.view.applyGateway(record)),
    });
    await this.heartbeat();
    this.timers = [
      setInterval(() => void this.heartbeat(), this.settings.heartbeatMs),
      setInterval(() => void this.expireSilentGateways(), 1000),
    ];
  }

  private heartbeat(): Promise<void> {
    return this.deps.bus
      .publish(Topics.presenceGateway, [
        {
          key: this.settings.gatewayId,
          value: { gatewayId: this.settings.gatewayId, alive: true, at: Date.now() },
        },
      ])
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'presence heartbeat failed'));
  }

  /** A gateway that died without saying goodbye: its users go offline, and we record it on its behalf. */
  private async expireSilentGateways(): Promise<void> {
    for (const { gatewayId, lastHeartbeat, changes, userIds } of this.view.expire()) {
      this.deps.logger.info(
        { deadGateway: gatewayId, users: userIds.length },
        'gateway went silent; its users are offline',
      );
      for (const userId of userIds) this.rememberOffline(userId, lastHeartbeat);
      this.push(changes);
      // Every gateway may do this; the records are idempotent (same key, same content, lastSeenAt uses $max).
      await this.deps.bus
        .publish(
          Topics.presenceConnection,
          userIds.map((userId) => ({
            key: `${gatewayId}/${userId}`,
            value: { gatewayId, userId, online: false, at: lastHeartbeat, sockets: 0 },
          })),
        )
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error }, 'could not record a dead gateway offline'),
        );
    }
  }

  private rememberOffline(userId: string, at: number): void {
    if ((this.lastOffline.get(userId) ?? 0) < at) this.lastOffline.set(userId, at);
  }

  private push(changes: PresenceChange[]): void {
    for (const change of changes) this.debouncer.push(change);
  }

  private announce(change: PresenceChange): void {
    if (this.view.isOnline(change.userId) !== change.online) return;
    const update: PresenceDto = {
      userId: change.userId,
      online: change.online,
      lastSeenAt: new Date(change.online ? Date.now() : change.at).toISOString(),
    };
    this.deps.io.to(presenceRoom(change.userId)).emit('presence:update', update);
    this.deps.metrics.presenceUpdates.inc({ state: change.online ? 'online' : 'offline' });
  }

  private async publishConnection(userId: string, sockets: number): Promise<void> {
    const { gatewayId } = this.settings;
    await this.deps.bus
      .publish(Topics.presenceConnection, [
        {
          key: `${gatewayId}/${userId}`,
          value: { gatewayId, userId, online: sockets > 0, at: Date.now(), sockets },
        },
      ])
      .catch((error: unknown) => this.deps.logger.warn({ err: error, userId }, 'could not publish presence'));
  }

  /** Current presence of each user, for `presence:subscribe`. */
  async snapshot(userIds: string[]): Promise<PresenceDto[]> {
    const offline = userIds.filter((userId) => !this.view.isOnline(userId));
    const persisted =
      offline.length > 0 ? await findLastSeen(this.deps.models, offline) : new Map<string, Date>();
    const now = new Date().toISOString();
    return userIds.map((userId) => {
      if (this.view.isOnline(userId)) return { userId, online: true, lastSeenAt: now };
      const seen = Math.max(persisted.get(userId)?.getTime() ?? 0, this.lastOffline.get(userId) ?? 0);
      return { userId, online: false, lastSeenAt: seen > 0 ? new Date(seen).toISOString() : null };
    });
  }

  /** Graceful stop: our users go offline now (not after the TTL), and we say goodbye. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.debouncer.clear();
    const { gatewayId } = this.settings;
    const at = Date.now();
    await this.deps.bus.publish(
      Topics.presenceConnection,
      this.localUsers().map((userId) => ({
        key: `${gatewayId}/${userId}`,
        value: { gatewayId, userId, online: false, at, sockets: 0 },
      })),
    );
    await this.deps.bus.publish(Topics.presenceGateway, [
      { key: gatewayId, value: { gatewayId, alive: false, at } },
    ]);
  }
}
