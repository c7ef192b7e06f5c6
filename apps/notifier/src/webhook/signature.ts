import { createHmac } from 'node:crypto';

/**
 * `X-Chat-Signature` of one attempt: the HMAC-SHA256, keyed with the shared secret, of `<timestamp>.<raw body>`.
 * The timestamp is signed with the body so a receiver can refuse an old request replayed to it.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
