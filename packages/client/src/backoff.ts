export interface BackoffOptions {
  /** The first retry's ceiling. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5000 };

/**
 * How long to wait before retry number `attempt` (0 for the first): exponential with "equal jitter", half of the
 * ceiling fixed and half random. The fixed half keeps a flapping service from being hammered; the random half
 * keeps thousands of clients that lost one gateway from coming back in step. A server's `retryAfterMs` is a
 * floor: waiting less would only be refused again.
 */
export function retryDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.max(retryAfterMs, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}
