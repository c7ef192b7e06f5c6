import jwt from 'jsonwebtoken';

export const TEST_JWT_SECRET = 'integration-test-secret-of-at-least-32-chars';

export function mintToken(
  userId: string,
  options: { expiresInSeconds?: number; secret?: string } = {},
): string {
  return jwt.sign({ sub: userId }, options.secret ?? TEST_JWT_SECRET, {
    algorithm: 'HS256',
    expiresIn: options.expiresInSeconds ?? 3600,
  });
}
