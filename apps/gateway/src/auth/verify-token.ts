import { userIdSchema } from '@chat/contracts';
import jwt from 'jsonwebtoken';
import type { JwtVerification } from '../config.js';
import { AppError } from '../errors.js';

/** Verifies an access token (pinned algorithms, expiry required) and returns the user id from `sub`. */
export function verifyAccessToken(token: unknown, verification: JwtVerification): string {
  if (typeof token !== 'string' || token === '')
    throw new AppError('UNAUTHORIZED', 'An access token is required.');
  let claims: string | jwt.JwtPayload;
  try {
    claims = jwt.verify(token, verification.key, { algorithms: verification.algorithms });
  } catch (error) {
    const message =
      error instanceof jwt.TokenExpiredError
        ? 'The access token has expired.'
        : 'The access token is invalid.';
    throw new AppError('UNAUTHORIZED', message, undefined, { cause: error });
  }
  if (typeof claims === 'string' || claims.exp === undefined) {
    throw new AppError('UNAUTHORIZED', 'The access token must carry an expiry (exp).');
  }
  const userId = userIdSchema.safeParse(claims.sub);
  if (!userId.success) throw new AppError('UNAUTHORIZED', 'The access token has no valid subject (sub).');
  return userId.data;
}
