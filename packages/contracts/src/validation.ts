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

export const messageHistoryQuerySchema = z.object({
  otherUserId: userIdSchema,
  from: positiveIntFromQuery.optional(),
  limit: positiveIntFromQuery
    .max(Limits.historyPageMax, `must be at most ${Limits.historyPageMax}`)
    .default(Limits.historyPageDefault),
});

export type MessageHistoryQuery = z.infer<typeof messageHistoryQuerySchema>;
