import { describe, expect, it } from 'vitest';
import { computeBreakdown } from './breakdown.js';

describe('computeBreakdown', () => {
  const sentAt = 1_000_000;
  const timeline = [
    { clientMessageId: 'm1', sentAt, ackedAt: sentAt + 20, deliveredAt: sentAt + 21 },
    // Its fact was never read: not traced.
    { clientMessageId: 'm2', sentAt, ackedAt: sentAt + 30, deliveredAt: sentAt + 30 },
    // Never acked: not traced.
    { clientMessageId: 'm3', sentAt, ackedAt: null, deliveredAt: null },
  ];
  const commands = new Map([
    ['m1', { correlationId: 'c1', producedAt: sentAt + 1 }],
    ['m2', { correlationId: 'c2', producedAt: sentAt + 1 }],
  ]);
  const facts = new Map([['c1', { receivedAt: sentAt + 4, storedAt: sentAt + 12, producedAt: sentAt + 13 }]]);

  it('splits each traced message into its hops, from the clients’ times and the records’', () => {
    const breakdown = computeBreakdown({ rate: 10, pairs: 2 }, timeline, commands, facts);
    expect(breakdown).toMatchObject({ rate: 10, pairs: 2, sent: 3, acked: 2, traced: 1 });
    const expected: Record<string, number> = {
      'gateway → Kafka': 1,
      'Kafka → persister': 3,
      database: 8,
      'persister → Kafka': 1,
      'Kafka → gateway → client': 7,
      total: 20,
      'delivery after ack': 1,
    };
    expect(breakdown.hops.map(({ hop }) => hop)).toEqual(Object.keys(expected));
    // The histograms keep 3 significant digits: 20 ms may read as 20.015.
    for (const { hop, latency } of breakdown.hops)
      expect(latency.p50).toBeCloseTo(expected[hop] as number, 1);
  });
});
