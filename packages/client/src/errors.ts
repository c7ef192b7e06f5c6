import type { ErrorBody, ErrorCode } from '@chat/contracts';

/**
 * Every failure the library reports: a catalogued `code` and whether the same request may succeed later
 * (`retriable`), as the server sent them, or `UNAVAILABLE` when no answer came in time. Branch on `code`.
 */
export class ChatClientError extends Error {
  override readonly name = 'ChatClientError';
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    body: Pick<ErrorBody, 'code' | 'message' | 'retriable'> & { retryAfterMs?: number | undefined },
  ) {
    super(body.message);
    this.code = body.code;
    this.retriable = body.retriable;
    this.retryAfterMs = body.retryAfterMs;
  }
}

/** What a request that got no answer before its deadline rejects with, when no code was seen on the way. */
export function unavailable(message = 'No answer from the service in time.'): ChatClientError {
  return new ChatClientError({ code: 'UNAVAILABLE', message, retriable: true });
}

export function isChatClientError(error: unknown): error is ChatClientError {
  return error instanceof ChatClientError;
}
