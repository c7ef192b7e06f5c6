import jwt from 'jsonwebtoken';

export const TEST_JWT_SECRET = 'integration-test-secret-of-at-least-32-chars';
/** The NOTIFY_WEBHOOK_SECRET of the notifiers tests start: their receivers check signatures with it. */
export const TEST_WEBHOOK_SECRET = 'integration-test-webhook-secret';

export function mintToken(
  userId: string,
  options: { expiresInSeconds?: number; secret?: string } = {},
): string {
  return jwt.sign({ sub: userId }, options.secret ?? TEST_JWT_SECRET, {
    algorithm: 'HS256',
    expiresIn: options.expiresInSeconds ?? 3600,
  });
}
