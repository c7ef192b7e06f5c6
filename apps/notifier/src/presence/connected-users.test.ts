import { describe, expect, it } from 'vitest';
import { ConnectedUsers } from './connected-users.js';

const record = (gatewayId: string, userId: string, online: boolean) => ({
  gatewayId,
  userId,
  online,
  at: 1,
  sockets: online ? 1 : 0,
});

describe('ConnectedUsers', () => {
  it('is connected while any gateway reports a socket, whatever order the gateways report in', () => {
    const users = new ConnectedUsers();
    expect(users.has('ann')).toBe(false);
    expect(users.apply(record('g1', 'ann', true))).toBe(true);
    expect(users.apply(record('g2', 'ann', true))).toBe(true);
    expect(users.apply(record('g1', 'ann', false))).toBe(true);
    expect(users.has('ann')).toBe(true);
    expect(users.apply(record('g2', 'ann', false))).toBe(false);
    expect(users.has('ann')).toBe(false);
  });

  it('takes a repeated record (a compacted topic read again) as the same state', () => {
    const users = new ConnectedUsers();
    users.apply(record('g1', 'bob', true));
    users.apply(record('g1', 'bob', true));
    expect(users.apply(record('g1', 'bob', false))).toBe(false);
    expect(users.apply(record('g1', 'bob', false))).toBe(false);
  });
});
