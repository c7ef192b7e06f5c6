import { z } from 'zod';
import { Limits } from './limits.js';

// No control characters: ids end up in logs, room names and Kafka keys.
const printable = /^[^\p{Cc}]+$/u;

export const userIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(Limits.userIdMaxLength, `must be at most ${Limits.userIdMaxLength} characters`)
  .regex(printable, 'must not contain control characters');

export const messageSendSchema = z.strictObject({
  clientMessageId: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(Limits.clientMessageIdMaxLength, `must be at most ${Limits.clientMessageIdMaxLength} characters`)
    .regex(printable, 'must not contain control characters'),
  otherUserId: userIdSchema,
  text: z
    .string({ error: 'must be a string' })
    .refine((text) => text.trim().length > 0, 'must not be empty')
    .refine(
      // A code point is one or two UTF-16 units: only lengths in between need counting (a frame may be 1 MB).
      (text) =>
        text.length <= Limits.messageTextMaxLength ||
        (text.length <= 2 * Limits.messageTextMaxLength && [...text].length <= Limits.messageTextMaxLength),
      `must be at most ${Limits.messageTextMaxLength} characters`,
    ),
});

export type MessageSendPayload = z.infer<typeof messageSendSchema>;

// Query schemas are strict: an unknown key (`otherUserId[$ne]`, a typo) is refused, not silently ignored.
export const conversationQuerySchema = z.strictObject({ otherUserId: userIdSchema });

/** A query-string integer written as plain decimal digits: no sign, exponent, hex, blanks or fractions. */
const integerFromQuery = z
  .string({ error: 'must be a single value' })
  .regex(/^\d{1,15}$/, 'must be a whole number written in digits')
  .transform(Number);
const positiveIntFromQuery = integerFromQuery.pipe(z.number().positive('must be positive'));

export const messageHistoryQuerySchema = z
  .strictObject({
    otherUserId: userIdSchema,
    /** Older than this seq, newest first. */
    from: positiveIntFromQuery.optional(),
    /** Newer than this seq, oldest first (catch-up). */
    after: integerFromQuery.optional(),
    limit: integerFromQuery
      .pipe(
        z
          .number()
          .positive('must be positive')
          .max(Limits.historyPageMax, `must be at most ${Limits.historyPageMax}`),
      )
      .optional()
      .transform((limit) => limit ?? Limits.historyPageDefault),
  })
  .refine((query) => query.from === undefined || query.after === undefined, {
    message: 'use either from or after, not both',
    path: ['after'],
  });

export type MessageHistoryQuery = z.infer<typeof messageHistoryQuerySchema>;

export const presenceSubscribeSchema = z.strictObject({
  userIds: z
    .array(userIdSchema, { error: 'must be an array of user ids' })
    .min(1, 'must not be empty')
    .max(Limits.presenceSubscribeMax, `must have at most ${Limits.presenceSubscribeMax} ids`),
});

export type PresenceSubscribePayload = z.infer<typeof presenceSubscribeSchema>;

export const conversationReadSchema = z.strictObject({ otherUserId: userIdSchema });

export type ConversationReadPayload = z.infer<typeof conversationReadSchema>;

export const inboxQuerySchema = z.strictObject({
  cursor: z.string().min(1).max(200).optional(),
  limit: integerFromQuery
    .pipe(
      z
        .number()
        .positive('must be positive')
        .max(Limits.inboxPageMax, `must be at most ${Limits.inboxPageMax}`),
    )
    .optional()
    .transform((limit) => limit ?? Limits.inboxPageDefault),
  /** Only conversations changed (message or read marker) after this ISO 8601 time. */
  updatedSince: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
});

export type InboxQuery = z.infer<typeof inboxQuerySchema>;
