import { describe, expect, it } from 'vitest';
import { FloodGuard } from './flood-guard.js';
import type { ChatSocket } from './server.js';

/** What FloodGuard touches of a socket: its user, whether it is connected, emit and disconnect. */
function fakeSocket(userId: string) {
  const told: unknown[] = [];
  const socket = {
    connected: true,
    data: { userId },
    emit: (event: string, body: unknown) => told.push([event, body]),
    disconnect() {
      socket.connected = false;
    },
  };
  return { socket: socket as unknown as ChatSocket & { connected: boolean }, told };
}

describe('FloodGuard', () => {
  it('closes a socket past its refusals with session:closed, and refuses its user for the cool-down', () => {
    let now = 0;
    const guard = new FloodGuard(10, 5000, { info: () => {} }, () => now);
    const { socket, told } = fakeSocket('mallory');
    for (let i = 0; i < 10; i++) guard.refused(socket);
    expect(socket.connected).toBe(true);
    guard.refused(socket);
    expect(socket.connected).toBe(false);
    expect(told).toEqual([
      [
        'session:closed',
        { code: 'RATE_LIMITED', message: expect.any(String), retriable: true, retryAfterMs: 5000 },
      ],
    ]);
    expect(guard.coolingMs('mallory')).toBe(5000);
    expect(guard.coolingMs('alice')).toBeUndefined();
    now = 4000;
    expect(guard.coolingMs('mallory')).toBe(1000);
    now = 5000;
    expect(guard.coolingMs('mallory')).toBeUndefined();
  });

  it('forgives a tenth of the limit every second: a client that slows down stays connected', () => {
    let now = 0;
    const guard = new FloodGuard(10, 5000, { info: () => {} }, () => now);
    const { socket } = fakeSocket('alice');
    for (let second = 0; second < 60; second++) {
      now = second * 1000;
      guard.refused(socket);
    }
    expect(socket.connected).toBe(true);
  });
});
