import { isWellFormed, userIdSchema } from '@chat/contracts';
import jwt from 'jsonwebtoken';
import type { JwtVerification } from '../config.js';
import { AppError } from '../errors.js';

export interface VerifiedToken {
  /** From `sub`. */
  userId: string;
  /** From `exp`, in ms since the epoch: a socket is closed then. */
  expiresAt: number;
}

/**
 * Verifies an access token: pinned algorithms (so `alg: none` and algorithm swaps fail), signature, `exp`
 * required and in the future, `nbf` if present, and `iss`/`aud` when configured.
 */
export function verifyAccessToken(token: unknown, verification: JwtVerification): VerifiedToken {
  if (typeof token !== 'string' || token === '') throw new AppError('tokenMissing');
  let claims: string | jwt.JwtPayload;
  try {
    claims = jwt.verify(token, verification.key, {
      algorithms: verification.algorithms,
      ...(verification.issuer ? { issuer: verification.issuer } : {}),
      ...(verification.audience ? { audience: verification.audience } : {}),
    });
  } catch (error) {
    const reason =
      error instanceof jwt.TokenExpiredError
        ? 'tokenExpired'
        : error instanceof jwt.NotBeforeError
          ? 'tokenNotYetValid'
          : 'tokenInvalid';
    throw new AppError(reason, { cause: error });
  }
  if (typeof claims === 'string' || typeof claims.exp !== 'number') {
    throw new AppError('tokenWithoutExpiry');
  }
  // A lone surrogate would reach Kafka and MongoDB as U+FFFD: another user's id.
  if (typeof claims.sub === 'string' && !isWellFormed(claims.sub)) {
    throw new AppError('subjectNotWellFormed', {
      details: [{ path: 'sub', message: 'must be well-formed Unicode (no unpaired surrogate)' }],
    });
  }
  const userId = userIdSchema.safeParse(claims.sub);
  if (!userId.success) throw new AppError('tokenWithoutSubject');
  return { userId: userId.data, expiresAt: claims.exp * 1000 };
}
