import { type ErrorBody, ErrorCatalog, type ErrorCode } from '@chat/contracts';
import type { ZodError } from 'zod';

/** An error a client may see: a catalogued code, its message, and for validation the failing fields. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string = ErrorCatalog[code].message,
    readonly details?: ErrorBody['details'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ErrorCatalog[this.code].status;
  }

  static validation(error: ZodError): AppError {
    return new AppError(
      'VALIDATION_FAILED',
      ErrorCatalog.VALIDATION_FAILED.message,
      error.issues.map((issue) => ({ path: issue.path.join('.') || '(payload)', message: issue.message })),
    );
  }
}

/** The one place errors become client responses; anything unexpected is INTERNAL, its details only logged. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    return error.details
      ? { code: error.code, message: error.message, details: error.details }
      : { code: error.code, message: error.message };
  }
  return { code: 'INTERNAL', message: ErrorCatalog.INTERNAL.message };
}

export function statusOf(error: unknown): number {
  return error instanceof AppError ? error.status : 500;
}

/** The other user of a 1-1 request must not be the caller. */
export function assertOtherUser(userId: string, otherUserId: string): void {
  if (userId === otherUserId) {
    throw new AppError('VALIDATION_FAILED', 'otherUserId must be another user.', [
      { path: 'otherUserId', message: 'must not be your own user id' },
    ]);
  }
}
