import {
  describeError,
  type ErrorBody,
  ErrorCatalog,
  type ErrorCode,
  type ErrorReason,
} from '@chat/contracts';
import type { CodedError } from '@chat/runtime';
import type { ZodError } from 'zod';

/**
 * An error a client may see: a catalogued code and message (named by its reason, never written out), for
 * validation the failing fields, and whether retrying may help, from the catalogue.
 */
export class AppError extends Error implements CodedError {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: ErrorBody['details'];
  /** For RATE_LIMITED: how long the client should wait before sending again. */
  readonly retryAfterMs: number | undefined;

  constructor(
    reason: ErrorReason,
    options: { details?: ErrorBody['details']; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    const { code, message } = describeError(reason);
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }

  get status(): number {
    return ErrorCatalog[this.code].status;
  }

  get retriable(): boolean {
    return ErrorCatalog[this.code].retriable;
  }

  static validation(error: ZodError): AppError {
    return new AppError('VALIDATION_FAILED', {
      details: error.issues.map((issue) => ({
        path: issue.path.join('.') || '(payload)',
        message: issue.message,
      })),
    });
  }
}

/** The one place errors become client responses; anything unexpected is INTERNAL, its details only logged. */
export function toErrorBody(error: unknown): ErrorBody {
  if (!(error instanceof AppError)) {
    return { code: 'INTERNAL', message: ErrorCatalog.INTERNAL.message, retriable: false };
  }
  return {
    code: error.code,
    message: error.message,
    retriable: error.retriable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.details ? { details: error.details } : {}),
  };
}

export function statusOf(error: unknown): number {
  return error instanceof AppError ? error.status : 500;
}

/** The other user of a 1-1 request must not be the caller. */
export function assertOtherUser(userId: string, otherUserId: string): void {
  if (userId === otherUserId) {
    throw new AppError('notAnotherUser', {
      details: [{ path: 'otherUserId', message: 'must not be your own user id' }],
    });
  }
}
