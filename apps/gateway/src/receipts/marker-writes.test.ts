import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../socket/rate-limiter.js';
import { MarkerWrites } from './marker-writes.js';

/** A write that stores `$max` of what it was sent, and answers with the stored marker. */
function store() {
  let stored = 0;
  const sent: number[] = [];
  const write = async (marker: number) => {
    sent.push(marker);
    stored = Math.max(stored, marker);
    return stored;
  };
  return { sent, write };
}

describe('MarkerWrites', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the first marker at once and coalesces the window’s others into one write of the highest', async () => {
    vi.useFakeTimers();
    const markers = new MarkerWrites<number>(new RateLimiter<string>(20, 20));
    const { sent, write } = store();
    const first = markers.submit('alice', 'c', 5, write);
    await expect(first).resolves.toBe(5);
    const later = [7, 9, 6].map((marker) => markers.submit('alice', 'c', marker, write));
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual([5]);
    await vi.advanceTimersByTimeAsync(1);
    for (const answer of later) await expect(answer).resolves.toBe(9);
    expect(sent).toEqual([5, 9]);
    // Another user's or another conversation's markers are their own.
    await markers.submit('bob', 'c', 1, write);
    await markers.submit('alice', 'd', 1, write);
    expect(sent).toEqual([5, 9, 1, 1]);
  });

  it('answers a marker no higher than the write in flight with that write', async () => {
    const markers = new MarkerWrites<number>(new RateLimiter<string>(20, 20));
    let release: (value: number) => void = () => {};
    const write = vi.fn(() => new Promise<number>((resolve) => (release = resolve)));
    const first = markers.submit('alice', 'c', 8, write);
    const lower = markers.submit('alice', 'c', 3, write);
    release(8);
    expect(await first).toBe(8);
    expect(await lower).toBe(8);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('refuses writes beyond the user’s rate across conversations with RATE_LIMITED and retryAfterMs', async () => {
    const markers = new MarkerWrites<number>(new RateLimiter<string>(2, 2, { now: () => 0 }));
    const { write } = store();
    await markers.submit('alice', 'a', 1, write);
    await markers.submit('alice', 'b', 1, write);
    expect(() => markers.submit('alice', 'c', 1, write)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 500 }),
    );
    await expect(markers.submit('bob', 'c', 1, write)).resolves.toBe(1);
  });

  it('answers every coalesced command with the failure of their write, and fails waiting ones on failAll', async () => {
    vi.useFakeTimers();
    const markers = new MarkerWrites<number>(new RateLimiter<string>(20, 20));
    const failing = async () => {
      throw new Error('no broker');
    };
    await expect(markers.submit('alice', 'c', 1, failing)).rejects.toThrow('no broker');
    const coalesced = [2, 3].map((marker) => markers.submit('alice', 'c', marker, failing));
    const outcomes = coalesced.map((answer) => expect(answer).rejects.toThrow('no broker'));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(outcomes);
    const waiting = markers.submit('alice', 'c', 4, failing);
    markers.failAll(new Error('restarting'));
    await expect(waiting).rejects.toThrow('restarting');
  });
});
