import type { PresenceChange } from '@chat/event-bus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OfflineDebouncer } from './debouncer.js';

const online = (userId: string, at = 0): PresenceChange => ({ userId, online: true, at });
const offline = (userId: string, at = 0): PresenceChange => ({ userId, online: false, at });

describe('OfflineDebouncer', () => {
  let announced: PresenceChange[];
  let debouncer: OfflineDebouncer;

  beforeEach(() => {
    vi.useFakeTimers();
    announced = [];
    debouncer = new OfflineDebouncer(500, (change) => announced.push(change));
  });
  afterEach(() => vi.useRealTimers());

  it('announces online at once', () => {
    debouncer.push(online('bob'));
    expect(announced).toEqual([online('bob')]);
  });

  it('announces offline only after the delay, with the change as pushed', () => {
    debouncer.push(offline('bob', 42));
    vi.advanceTimersByTime(499);
    expect(announced).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(announced).toEqual([offline('bob', 42)]);
  });

  it('announces nothing when the user comes back within the delay', () => {
    debouncer.push(offline('bob'));
    vi.advanceTimersByTime(300);
    debouncer.push(online('bob'));
    vi.advanceTimersByTime(1000);
    expect(announced).toEqual([]);
  });

  it('keeps the first pending offline: a repeated one neither restarts the delay nor announces twice', () => {
    debouncer.push(offline('bob', 1));
    vi.advanceTimersByTime(300);
    debouncer.push(offline('bob', 2));
    vi.advanceTimersByTime(200);
    expect(announced).toEqual([offline('bob', 1)]);
    vi.advanceTimersByTime(1000);
    expect(announced).toHaveLength(1);
  });

  it('debounces each user on their own', () => {
    debouncer.push(offline('bob'));
    debouncer.push(offline('carol'));
    debouncer.push(online('bob'));
    vi.advanceTimersByTime(500);
    expect(announced).toEqual([offline('carol')]);
  });

  it('drops every pending offline on clear', () => {
    debouncer.push(offline('bob'));
    debouncer.clear();
    vi.advanceTimersByTime(1000);
    expect(announced).toEqual([]);
  });
});
