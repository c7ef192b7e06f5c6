interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets by key: each key may spend `burst` at once and regains `perSecond` per second. Only keys that
 * spent something recently hold a bucket; `sweep()` forgets the ones that are full again.
 *
 * `shareOf` scales a key's allowance (rate and burst) to the part this process may give, e.g. a user's
 * allowance split between the gateways they are connected to; a bucket always holds at least one token.
 */
export class RateLimiter<K> {
  private readonly buckets = new Map<K, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly options: { now?: () => number; shareOf?: (key: K) => number } = {},
  ) {}

  /** Takes one token for `key`: undefined when allowed, otherwise how many ms until one is available. */
  take(key: K): number | undefined {
    const now = this.now();
    const share = this.share(key);
    const bucket = this.refilled(this.buckets.get(key), now, share);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      return undefined;
    }
    this.buckets.set(key, bucket);
    return Math.ceil(((1 - bucket.tokens) * 1000) / (this.perSecond * share));
  }

  forget(key: K): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Forgets full buckets: a key that comes back starts full anyway. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      const share = this.share(key);
      if (this.refilled(bucket, now, share).tokens >= this.capacity(share)) this.buckets.delete(key);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private share(key: K): number {
    return this.options.shareOf?.(key) ?? 1;
  }

  private capacity(share: number): number {
    return Math.max(1, this.burst * share);
  }

  private refilled(bucket: Bucket | undefined, now: number, share: number): Bucket {
    const capacity = this.capacity(share);
    if (!bucket) return { tokens: capacity, updatedAt: now };
    const regained = ((now - bucket.updatedAt) * this.perSecond * share) / 1000;
    return { tokens: Math.min(capacity, bucket.tokens + regained), updatedAt: now };
  }
}
