import { userIdSchema } from '@chat/contracts';
import jwt from 'jsonwebtoken';
import type { JwtVerification } from '../config.js';
import { AppError } from '../errors.js';

/** Verifies an access token (pinned algorithms, expiry required) and returns the user id from `sub`. */
export function verifyAccessToken(token: unknown, verification: JwtVerification): string {
  if (typeof token !== 'string' || token === '') throw new AppError('tokenMissing');
  let claims: string | jwt.JwtPayload;
  try {
    claims = jwt.verify(token, verification.key, { algorithms: verification.algorithms });
  } catch (error) {
    throw new AppError(error instanceof jwt.TokenExpiredError ? 'tokenExpired' : 'tokenInvalid', {
      cause: error,
    });
  }
  if (typeof claims === 'string' || claims.exp === undefined) {
    throw new AppError('tokenWithoutExpiry');
  }
  const userId = userIdSchema.safeParse(claims.sub);
  if (!userId.success) throw new AppError('tokenWithoutSubject');
  return userId.data;
}
