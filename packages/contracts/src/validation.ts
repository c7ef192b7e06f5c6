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
      (text) => [...text].length <= Limits.messageTextMaxLength,
      `must be at most ${Limits.messageTextMaxLength} characters`,
    ),
});

export type MessageSendPayload = z.infer<typeof messageSendSchema>;

export const conversationQuerySchema = z.object({ otherUserId: userIdSchema });

const positiveIntFromQuery = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .positive('must be positive');

export const messageHistoryQuerySchema = z
  .object({
    otherUserId: userIdSchema,
    /** Older than this seq, newest first. */
    from: positiveIntFromQuery.optional(),
    /** Newer than this seq, oldest first (catch-up). */
    after: z.coerce
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(0, 'must be 0 or more')
      .optional(),
    limit: positiveIntFromQuery
      .max(Limits.historyPageMax, `must be at most ${Limits.historyPageMax}`)
      .default(Limits.historyPageDefault),
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

export const inboxQuerySchema = z.object({
  cursor: z.string().min(1).max(200).optional(),
  limit: positiveIntFromQuery
    .max(Limits.inboxPageMax, `must be at most ${Limits.inboxPageMax}`)
    .default(Limits.inboxPageDefault),
  /** Only conversations changed (message or read marker) after this ISO 8601 time. */
  updatedSince: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
});

export type InboxQuery = z.infer<typeof inboxQuerySchema>;
