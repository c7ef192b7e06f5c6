import type { MessageNotification } from '@chat/contracts';
import { messagePersisted as message } from '@chat/contracts/fixtures';
import { createLogger, createMetricsRegistry } from '@chat/runtime';
import type { NotificationContext } from '@chat/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { notifierMetrics } from '../metrics.js';
import { Notifier } from './notifier.js';

describe('Notifier', () => {
  let sent: MessageNotification[];
  let contexts: Map<string, NotificationContext | undefined>;

  function notifier(settings: { preview?: boolean } = {}) {
    return new Notifier(
      {
        context: async (_conversationId, userId) =>
          contexts.has(userId) ? contexts.get(userId) : { muted: false, unreadCount: 1 },
        send: (notification) => sent.push(notification),
        logger: createLogger({ name: 'test', level: 'silent' }),
        metrics: notifierMetrics(createMetricsRegistry('test'), { openWindows: () => 0, inFlight: () => 0 }),
      },
      { coalesceMs: 1000, preview: settings.preview ?? true, retryBaseMs: 1 },
    );
  }
  /** Lets the window close and its context read resolve. */
  const closeWindows = () => vi.advanceTimersByTimeAsync(1000);

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    contexts = new Map();
  });
  afterEach(() => vi.useRealTimers());

  it('notifies every member but the sender, each on their own', async () => {
    const subject = notifier();
    subject.onMessage(message({ recipientId: null, memberIds: ['alice', 'bob', 'cat'] }));
    await closeWindows();
    expect(sent.map((n) => [n.recipientId, n.conversationKind, n.senderId])).toEqual([
      ['bob', 'group', 'alice'],
      ['cat', 'group', 'alice'],
    ]);
  });

  it('skips a connected member, and cancels the window of one who connects or reads', async () => {
    const subject = notifier();
    subject.onConnection({ gatewayId: 'g1', userId: 'bob', online: true, at: 1, sockets: 1 });
    subject.onMessage(message());
    subject.onMessage(message({ conversationId: 'c2', recipientId: 'cat', memberIds: ['alice', 'cat'] }));
    subject.onMessage(message({ conversationId: 'c3', recipientId: 'dan', memberIds: ['alice', 'dan'] }));
    subject.onConnection({ gatewayId: 'g1', userId: 'cat', online: true, at: 2, sockets: 1 });
    subject.onRead({
      conversationId: 'c3',
      readerId: 'dan',
      otherUserId: 'alice',
      lastReadAt: 3,
      memberIds: [],
    });
    await closeWindows();
    expect(sent).toEqual([]);
  });

  it('drops it at close for a muted member, one who left, or one with nothing unread', async () => {
    contexts.set('bob', { muted: true, unreadCount: 3 });
    contexts.set('cat', undefined);
    contexts.set('dan', { muted: false, unreadCount: 0 });
    const subject = notifier();
    subject.onMessage(message({ recipientId: null, memberIds: ['alice', 'bob', 'cat', 'dan', 'eve'] }));
    await closeWindows();
    expect(sent.map((n) => n.recipientId)).toEqual(['eve']);
  });

  it('cuts the preview to 100 code points, and leaves it out when previews are off', async () => {
    const long = '😀'.repeat(150);
    notifier().onMessage(message({ text: long }));
    notifier({ preview: false }).onMessage(message({ conversationId: 'c2' }));
    await closeWindows();
    expect(Array.from(sent[0]?.preview ?? '')).toHaveLength(100);
    expect(sent[0]?.preview).toBe('😀'.repeat(100));
    expect(sent[1]).not.toHaveProperty('preview');
  });
});
