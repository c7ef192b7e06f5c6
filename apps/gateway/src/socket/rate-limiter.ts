interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets by key: each key may spend `burst` at once and regains `perSecond` per second. Only keys that
 * spent something recently hold a bucket; `sweep()` forgets the ones that are full again.
 */
export class RateLimiter<K> {
  private readonly buckets = new Map<K, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`: undefined when allowed, otherwise how many ms until one is available. */
  take(key: K): number | undefined {
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(key), now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      return undefined;
    }
    this.buckets.set(key, bucket);
    return Math.ceil(((1 - bucket.tokens) * 1000) / this.perSecond);
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
      if (this.refilled(bucket, now).tokens >= this.burst) this.buckets.delete(key);
    }
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: this.burst, updatedAt: now };
    const tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) * this.perSecond) / 1000);
    return { tokens, updatedAt: now };
  }
}
