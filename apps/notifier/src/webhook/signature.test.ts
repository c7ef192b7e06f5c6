import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from './signature.js';

describe('signWebhook', () => {
  it('is the HMAC-SHA256 of "<timestamp>.<raw body>", hex, behind "sha256="', () => {
    const body = '{"type":"message","count":1}';
    const expected = createHmac('sha256', 'a-secret-of-16-chars').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('a-secret-of-16-chars', 1_700_000_000, body)).toBe(`sha256=${expected}`);
  });

  it('changes with the timestamp, the body and the secret', () => {
    const base = signWebhook('secret-one-0123456', 1, '{}');
    expect(signWebhook('secret-one-0123456', 2, '{}')).not.toBe(base);
    expect(signWebhook('secret-one-0123456', 1, '{ }')).not.toBe(base);
    expect(signWebhook('secret-two-0123456', 1, '{}')).not.toBe(base);
    // What a receiver does: compare in constant time.
    const again = signWebhook('secret-one-0123456', 1, '{}');
    expect(timingSafeEqual(Buffer.from(again), Buffer.from(base))).toBe(true);
  });
});
