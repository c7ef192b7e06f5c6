import { describe, expect, it } from 'vitest';
import { PresenceView } from './presence-view.js';

function view(now: { value: number }) {
  return new PresenceView({ gatewayId: 'self', ttlMs: 3000, now: () => now.value });
}

describe('PresenceView', () => {
  it('is online while any live gateway reports a connection', () => {
    const now = { value: 1000 };
    const presence = view(now);
    expect(
      presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: true, at: 1000, sockets: 1 }),
    ).toEqual([{ userId: 'bob', online: true, at: 1000 }]);
    expect(
      presence.applyConnection({ gatewayId: 'g2', userId: 'bob', online: true, at: 1001, sockets: 1 }),
    ).toEqual([]);
    expect(
      presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: false, at: 1002, sockets: 0 }),
    ).toEqual([]);
    expect(
      presence.applyConnection({ gatewayId: 'g2', userId: 'bob', online: false, at: 1003, sockets: 0 }),
    ).toEqual([{ userId: 'bob', online: false, at: 1003 }]);
  });

  it("expires a silent gateway's users at its last heartbeat, and not before the TTL", () => {
    const now = { value: 1000 };
    const presence = view(now);
    presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: true, at: 1000, sockets: 1 });
    presence.applyGateway({ gatewayId: 'g1', alive: true, at: 2000 });
    now.value = 4999;
    expect(presence.expire()).toEqual([]);
    now.value = 5000;
    expect(presence.expire()).toEqual([
      {
        gatewayId: 'g1',
        lastHeartbeat: 2000,
        userIds: ['bob'],
        changes: [{ userId: 'bob', online: false, at: 2000 }],
      },
    ]);
    expect(presence.isOnline('bob')).toBe(false);
  });

  it('takes a goodbye at once, and never expires itself', () => {
    const now = { value: 0 };
    const presence = view(now);
    presence.applyConnection({ gatewayId: 'self', userId: 'me', online: true, at: 0, sockets: 1 });
    presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: true, at: 0, sockets: 1 });
    expect(presence.applyGateway({ gatewayId: 'g1', alive: false, at: 10 })).toEqual([
      { userId: 'bob', online: false, at: 10 },
    ]);
    now.value = 1_000_000;
    presence.expire();
    expect(presence.isOnline('me')).toBe(true);
  });

  it('counts where else a user is connected, and their sockets there, on live gateways only', () => {
    const now = { value: 0 };
    const presence = view(now);
    presence.applyConnection({ gatewayId: 'self', userId: 'bob', online: true, at: 0, sockets: 5 });
    presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: true, at: 0, sockets: 2 });
    presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: true, at: 1, sockets: 3 });
    // A gateway that did not count reports 0 while online: one socket at least.
    presence.applyConnection({ gatewayId: 'g2', userId: 'bob', online: true, at: 1, sockets: 0 });
    expect(presence.elsewhere('bob')).toEqual({ gateways: 2, sockets: 4 });
    presence.applyGateway({ gatewayId: 'g2', alive: false, at: 2 });
    expect(presence.elsewhere('bob')).toEqual({ gateways: 1, sockets: 3 });
    presence.applyConnection({ gatewayId: 'g1', userId: 'bob', online: false, at: 3, sockets: 0 });
    expect(presence.elsewhere('bob')).toEqual({ gateways: 0, sockets: 0 });
  });
});
