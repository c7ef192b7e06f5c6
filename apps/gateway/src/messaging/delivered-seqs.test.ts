import { describe, expect, it } from 'vitest';
import { DeliveredSeqs } from './delivered-seqs.js';

describe('DeliveredSeqs', () => {
  it('delivers each seq of a conversation once, and nothing at or below the highest delivered', () => {
    const delivered = new DeliveredSeqs(10);
    expect([1, 2, 3].map((seq) => delivered.firstDelivery('c1', seq))).toEqual([true, true, true]);
    // A persister's replay of seqs 2..3, then the next new one.
    expect([2, 3, 4].map((seq) => delivered.firstDelivery('c1', seq))).toEqual([false, false, true]);
    expect(delivered.firstDelivery('c2', 1)).toBe(true);
  });

  it('forgets the least recently delivered conversation beyond its capacity', () => {
    const delivered = new DeliveredSeqs(2);
    delivered.firstDelivery('old', 5);
    delivered.firstDelivery('b', 1);
    delivered.firstDelivery('old', 6);
    delivered.firstDelivery('c', 1);
    // 'b' was the least recent: forgotten, so its repeat is delivered; 'old' is still known.
    expect(delivered.firstDelivery('old', 6)).toBe(false);
    expect(delivered.firstDelivery('b', 1)).toBe(true);
  });
});
