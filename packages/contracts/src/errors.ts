/**
 * The error catalogue: every code a client can receive, with its HTTP status and the message shown to clients.
 * Nothing else reaches clients; internal details stay in the server's logs.
 */
export const ErrorCatalog = {
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid.' },
  UNAUTHORIZED: { status: 401, message: 'A valid access token is required.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.' },
  UNAVAILABLE: {
    status: 503,
    message: 'The service could not complete this in time; retry with the same ids.',
  },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCatalog;

export const ERROR_CODES = Object.keys(ErrorCatalog) as ErrorCode[];

/** The error shape in every failed ack and every HTTP error body (`{ error: ErrorBody }`). */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** For VALIDATION_FAILED: which fields were wrong and why. */
  details?: Array<{ path: string; message: string }>;
}
