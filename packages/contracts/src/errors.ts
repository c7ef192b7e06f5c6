import { z } from 'zod';

/**
 * The error catalogue: every code a client can receive, with its HTTP status, whether the same request may
 * succeed later (`retriable`), and its default message. Nothing else reaches clients; internal details stay
 * in the server's logs.
 */
export const ErrorCatalog = {
  VALIDATION_FAILED: { status: 400, retriable: false, message: 'The request is invalid.' },
  UNAUTHORIZED: { status: 401, retriable: false, message: 'A valid access token is required.' },
  TOKEN_EXPIRED: {
    status: 401,
    retriable: false,
    message: 'The access token has expired; connect again with a fresh one.',
  },
  FORBIDDEN: { status: 403, retriable: false, message: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, retriable: false, message: 'Not found.' },
  PAYLOAD_TOO_LARGE: { status: 413, retriable: false, message: 'The request body is too large.' },
  RATE_LIMITED: { status: 429, retriable: true, message: 'Too many requests; slow down.' },
  TOO_MANY_CONNECTIONS: {
    status: 429,
    retriable: false,
    message: 'This user has too many open connections; close one first.',
  },
  UNAVAILABLE: {
    status: 503,
    retriable: true,
    message: 'The service could not complete this in time; retry with the same ids.',
  },
  INTERNAL: { status: 500, retriable: false, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; retriable: boolean; message: string }>;

export type ErrorCode = keyof typeof ErrorCatalog;

/**
 * The more specific messages a client can receive, each with the code it comes with. With the defaults above
 * these are all the error messages that reach clients: servers name an entry, never write text of their own.
 */
export const ErrorMessages = {
  notAnotherUser: { code: 'VALIDATION_FAILED', message: 'otherUserId must be another user.' },
  notAMember: { code: 'FORBIDDEN', message: 'You are not a member of this conversation.' },
  notAGroupAdmin: { code: 'FORBIDDEN', message: 'Only an admin of the group can do this.' },
  noSuchConversation: { code: 'NOT_FOUND', message: 'There is no such conversation.' },
  notAGroup: { code: 'VALIDATION_FAILED', message: 'This conversation is not a group.' },
  groupTooLarge: { code: 'VALIDATION_FAILED', message: 'The group would have more members than allowed.' },
  notWithYourself: { code: 'VALIDATION_FAILED', message: 'memberIds must not include your own id.' },
  unknownCursor: { code: 'VALIDATION_FAILED', message: 'The cursor is not one this server issued.' },
  pathNotDecodable: { code: 'VALIDATION_FAILED', message: 'The request path is not valid percent-encoding.' },
  subjectNotWellFormed: {
    code: 'VALIDATION_FAILED',
    message: 'The access token’s subject (sub) is not well-formed Unicode.',
  },
  tokenMissing: { code: 'UNAUTHORIZED', message: 'An access token is required.' },
  tokenExpired: { code: 'UNAUTHORIZED', message: 'The access token has expired.' },
  tokenInvalid: { code: 'UNAUTHORIZED', message: 'The access token is invalid.' },
  tokenWithoutExpiry: { code: 'UNAUTHORIZED', message: 'The access token must carry an expiry (exp).' },
  tokenWithoutSubject: { code: 'UNAUTHORIZED', message: 'The access token has no valid subject (sub).' },
  tokenNotYetValid: { code: 'UNAUTHORIZED', message: 'The access token is not valid yet (nbf).' },
  originNotAllowed: { code: 'FORBIDDEN', message: 'This origin is not allowed to connect.' },
  unknownEvent: { code: 'VALIDATION_FAILED', message: 'Unknown event.' },
  bodyNotJson: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' },
  noSuchRoute: { code: 'NOT_FOUND', message: 'No such route.' },
  noConversationYet: { code: 'NOT_FOUND', message: 'There is no conversation with this user yet.' },
  tooManyPendingSends: {
    code: 'RATE_LIMITED',
    message: 'Too many messages are waiting for their ack on this connection.',
  },
  tooManySends: { code: 'RATE_LIMITED', message: 'Too many messages from this user; slow down.' },
  tooManyEvents: { code: 'RATE_LIMITED', message: 'Too many events on this connection; slow down.' },
  tooManyMarkers: {
    code: 'RATE_LIMITED',
    message: 'Too many read or delivered markers from this user; slow down.',
  },
  tooManyRefusals: {
    code: 'RATE_LIMITED',
    message: 'This connection kept sending past RATE_LIMITED and was closed; reconnect after retryAfterMs.',
  },
  metricsTokenRequired: { code: 'UNAUTHORIZED', message: 'The metrics token is required.' },
  sendNotConfirmed: {
    code: 'UNAVAILABLE',
    message: 'The message could not be confirmed as stored in time; resend it with the same clientMessageId.',
  },
  readNotConfirmed: {
    code: 'UNAVAILABLE',
    message: 'The read could not be confirmed as stored in time; send it again.',
  },
  groupChangeNotConfirmed: {
    code: 'UNAVAILABLE',
    message: 'The group change could not be confirmed as stored in time; send it again with the same ids.',
  },
  deliveredNotConfirmed: {
    code: 'UNAVAILABLE',
    message: 'The delivered marker could not be confirmed as stored in time; send it again.',
  },
  muteNotConfirmed: {
    code: 'UNAVAILABLE',
    message: 'The mute could not be confirmed as stored in time; send it again.',
  },
  changeNotConfirmed: {
    code: 'UNAVAILABLE',
    message:
      'The change could not be confirmed as stored in time; send it again with the same clientRequestId.',
  },
  noSuchMessage: { code: 'NOT_FOUND', message: 'There is no such message.' },
  notYourMessage: {
    code: 'FORBIDDEN',
    message: 'Only the sender (or, to delete it, a group admin) can do this.',
  },
  editWindowClosed: { code: 'FORBIDDEN', message: 'The message can no longer be edited.' },
  messageDeleted: {
    code: 'VALIDATION_FAILED',
    message: 'The message was deleted for everyone: it cannot be edited or reacted to.',
  },
  replyToUnknown: {
    code: 'VALIDATION_FAILED',
    message: 'replyToId must name a message of the same conversation.',
  },
  typingTooFast: { code: 'RATE_LIMITED', message: 'Too many typing events on this connection.' },
  restarting: { code: 'UNAVAILABLE', message: 'The server is restarting; send again.' },
  noPersister: {
    code: 'UNAVAILABLE',
    message: 'No persister is running to store this; retry shortly with the same ids.',
  },
} as const satisfies Record<string, { code: ErrorCode; message: string }>;

export type ErrorMessageKey = keyof typeof ErrorMessages;

/** Why a request failed, as a server names it: a code (with its default message) or a specific message. */
export type ErrorReason = ErrorCode | ErrorMessageKey;

/** Whether `value` names a reason (a fact that crossed Kafka names its refusal this way). */
export function isErrorReason(value: string): value is ErrorReason {
  return value in ErrorCatalog || value in ErrorMessages;
}

/** The code and the client-facing message of a reason. */
export function describeError(reason: ErrorReason): { code: ErrorCode; message: string } {
  return reason in ErrorCatalog
    ? { code: reason as ErrorCode, message: ErrorCatalog[reason as ErrorCode].message }
    : ErrorMessages[reason as ErrorMessageKey];
}

export const ERROR_CODES = Object.keys(ErrorCatalog) as [ErrorCode, ...ErrorCode[]];

/** The error shape in every failed ack and every HTTP error body (`{ error: ErrorBody }`). */
export const errorBodySchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retriable: z
    .boolean()
    .describe(
      "The catalogue's word for the code: whether the same request, sent again later with the same ids, may succeed.",
    ),
  retryAfterMs: z
    .int()
    .min(0)
    .optional()
    .describe('For RATE_LIMITED: how long to wait before sending again.'),
  details: z
    .array(z.strictObject({ path: z.string(), message: z.string() }))
    .optional()
    .describe('For VALIDATION_FAILED: which fields were wrong and why.'),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

export const errorResponseSchema = z.strictObject({ error: errorBodySchema });
