import { messagePersisted } from '@chat/contracts/fixtures';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotificationWindows, type PendingNotification } from './windows.js';

const message = (conversationId: string, seq: number) =>
  messagePersisted({ id: `${conversationId}-${seq}`, conversationId, seq, changeSeq: seq });

describe('NotificationWindows', () => {
  let closed: PendingNotification[];
  let windows: NotificationWindows;

  beforeEach(() => {
    vi.useFakeTimers();
    closed = [];
    windows = new NotificationWindows(5000, (notification) => closed.push(notification));
  });
  afterEach(() => vi.useRealTimers());

  it('sends one notification per window, naming the latest message and counting them all', () => {
    expect(windows.add('bob', message('c1', 1))).toBe('opened');
    vi.advanceTimersByTime(4000);
    expect(windows.add('bob', message('c1', 2))).toBe('coalesced');
    expect(windows.add('bob', message('c1', 3))).toBe('coalesced');
    expect(closed).toEqual([]);
    // The window runs from the first message, not the last.
    vi.advanceTimersByTime(1000);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ recipientId: 'bob', conversationId: 'c1', count: 3 });
    expect(closed[0]?.latest.seq).toBe(3);
    expect(windows.add('bob', message('c1', 4))).toBe('opened');
  });

  it('keeps recipients and conversations apart', () => {
    windows.add('bob', message('c1', 1));
    windows.add('bob', message('c2', 1));
    windows.add('cat', message('c1', 1));
    vi.advanceTimersByTime(5000);
    expect(closed.map((n) => [n.recipientId, n.conversationId, n.count])).toEqual([
      ['bob', 'c1', 1],
      ['bob', 'c2', 1],
      ['cat', 'c1', 1],
    ]);
  });

  it('drops a message seen already, in an open window or after it closed', () => {
    windows.add('bob', message('c1', 1));
    expect(windows.add('bob', message('c1', 1))).toBe('duplicate');
    vi.advanceTimersByTime(5000);
    expect(windows.add('bob', message('c1', 1))).toBe('duplicate');
    vi.advanceTimersByTime(5000);
    expect(closed).toHaveLength(1);
  });

  it('cancels one conversation (a read) or all of a recipient (a connection)', () => {
    windows.add('bob', message('c1', 1));
    windows.add('bob', message('c2', 1));
    windows.add('cat', message('c1', 1));
    expect(windows.cancel('bob', 'c1')).toBe(1);
    expect(windows.cancel('bob', 'c1')).toBe(0);
    expect(windows.cancel('bob')).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(closed.map((n) => n.recipientId)).toEqual(['cat']);
    // A later message opens a new window.
    expect(windows.add('bob', message('c1', 2))).toBe('opened');
  });

  it('closes every window at once when shutting down, and any opened after', () => {
    windows.add('bob', message('c1', 1));
    windows.closeAll();
    expect(closed).toHaveLength(1);
    windows.add('bob', message('c2', 1));
    vi.advanceTimersByTime(0);
    expect(closed).toHaveLength(2);
    expect(windows.size).toBe(0);
  });
});
