import { z } from 'zod';
import { DeleteScopes, MessageChangeActions } from './enums.js';
import type { MessageChange, MessageSent } from './events.js';
import { Limits } from './limits.js';

// No control characters: ids end up in logs, room names and Kafka keys.
const printable = /^[^\p{Cc}]+$/u;
/** A lone surrogate: in `u` mode a pair is one code point, so only an unpaired half matches. */
const loneSurrogate = /\p{Cs}/u;

/**
 * Whether `text` is well-formed UTF-16 (no lone surrogate), as `String.prototype.isWellFormed` (Node 20, not
 * every client's runtime) says. A lone surrogate cannot be encoded as UTF-8: Avro and BSON would store U+FFFD
 * instead, so an id with one would turn into another id on its way.
 */
export function isWellFormed(text: string): boolean {
  return !loneSurrogate.test(text);
}

const wellFormedMessage = 'must be well-formed Unicode (no unpaired surrogate)';

/** An id: 1 to `max` characters, printable, well-formed. */
const idSchema = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(printable, 'must not contain control characters')
    .refine(isWellFormed, wellFormedMessage);

export const userIdSchema = idSchema(Limits.userIdMaxLength);

export const conversationIdSchema = idSchema(Limits.conversationIdMaxLength);

/** A client's idempotency key (clientMessageId, clientRequestId). */
const idempotencyKeySchema = idSchema(Limits.clientMessageIdMaxLength);

/** A message id as the server issues them (`msg_…`); any other string names no message. */
const messageIdSchema = idSchema(Limits.clientMessageIdMaxLength);

/** Text of at most `max` code points that is not empty or only whitespace. */
const nonBlankText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .refine((text) => text.trim().length > 0, 'must not be empty')
    .refine(
      // A code point is one or two UTF-16 units: only lengths in between need counting (a frame may be 1 MB).
      (text) => text.length <= max || (text.length <= 2 * max && [...text].length <= max),
      { message: `must be at most ${max} characters`, abort: true },
    )
    .refine(isWellFormed, wellFormedMessage);

/**
 * Exactly one of the two keys: a 1-1 conversation named by the other user, or any conversation by its id. With
 * neither, the issue names `otherUserId` (what a 1-1 client forgot); with both, `conversationId`.
 */
function oneTarget(
  payload: { otherUserId?: string | undefined; conversationId?: string | undefined },
  context: z.RefinementCtx,
) {
  if ((payload.otherUserId === undefined) === (payload.conversationId === undefined)) {
    context.addIssue({
      code: 'custom',
      message: 'give either otherUserId or conversationId, not both',
      path: [payload.otherUserId === undefined ? 'otherUserId' : 'conversationId'],
    });
  }
}

export const messageSendSchema = z
  .strictObject({
    clientMessageId: idempotencyKeySchema,
    /** A 1-1 message to this user. */
    otherUserId: userIdSchema.optional(),
    /** A message to this conversation (a group, or a 1-1 conversation) the sender belongs to. */
    conversationId: conversationIdSchema.optional(),
    text: nonBlankText(Limits.messageTextMaxLength),
    /** The message of the same conversation this one replies to. */
    replyToId: messageIdSchema.optional(),
  })
  .superRefine(oneTarget);

export type MessageSendPayload = z.infer<typeof messageSendSchema>;

// Query schemas are strict: an unknown key (`otherUserId[$ne]`, a typo) is refused, not silently ignored.
export const conversationQuerySchema = z.strictObject({ otherUserId: userIdSchema });

/** A query-string integer written as plain decimal digits: no sign, exponent, hex, blanks or fractions. */
const integerFromQuery = z
  .string({ error: 'must be a single value' })
  .regex(/^\d{1,15}$/, 'must be a whole number written in digits')
  .transform(Number);
const positiveIntFromQuery = integerFromQuery.pipe(z.number().positive('must be positive'));

const historyPage = {
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
};
const fromOrAfter: [
  (query: { from?: number | undefined; after?: number | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (query) => query.from === undefined || query.after === undefined,
  { message: 'use either from or after, not both', path: ['after'] },
];

export const messageHistoryQuerySchema = z
  .strictObject({ otherUserId: userIdSchema, ...historyPage })
  .refine(...fromOrAfter);

export type MessageHistoryQuery = z.infer<typeof messageHistoryQuerySchema>;

/** `GET /convo/:conversationId/message`: the same pages, the conversation named by its id. */
export const conversationHistoryQuerySchema = z.strictObject(historyPage).refine(...fromOrAfter);

export const conversationParamsSchema = z.strictObject({ conversationId: conversationIdSchema });

export const messageParamsSchema = z.strictObject({
  conversationId: conversationIdSchema,
  messageId: messageIdSchema,
});

/** `GET /convo/:conversationId/changes`: the changes after a changeSeq, oldest first. */
export const changesQuerySchema = z.strictObject({
  after: integerFromQuery.optional().transform((after) => after ?? 0),
  limit: integerFromQuery
    .pipe(
      z
        .number()
        .positive('must be positive')
        .max(Limits.changesPageMax, `must be at most ${Limits.changesPageMax}`),
    )
    .optional()
    .transform((limit) => limit ?? Limits.changesPageDefault),
});

export type ChangesQuery = z.infer<typeof changesQuerySchema>;

export const presenceSubscribeSchema = z.strictObject({
  userIds: z
    .array(userIdSchema, { error: 'must be an array of user ids' })
    .min(1, 'must not be empty')
    .max(Limits.presenceSubscribeMax, `must have at most ${Limits.presenceSubscribeMax} ids`),
});

export type PresenceSubscribePayload = z.infer<typeof presenceSubscribeSchema>;

export const conversationReadSchema = z
  .strictObject({
    otherUserId: userIdSchema.optional(),
    conversationId: conversationIdSchema.optional(),
    /** When the conversation was opened, if earlier than now (an offline client syncing); later times count as now. */
    readAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  })
  .superRefine(oneTarget);

export type ConversationReadPayload = z.infer<typeof conversationReadSchema>;

export const inboxQuerySchema = z.strictObject({
  cursor: z.string().min(1).max(Limits.inboxCursorMaxLength).optional(),
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

const memberIdsSchema = z
  .array(userIdSchema, { error: 'must be an array of user ids' })
  .min(1, 'must not be empty')
  .max(Limits.groupMemberIdsMax, `must have at most ${Limits.groupMemberIdsMax} ids`)
  .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id');

export const groupCreateSchema = z.strictObject({
  /** The idempotency key: a retry with the same one yields the same group. */
  clientRequestId: idempotencyKeySchema,
  name: nonBlankText(Limits.groupNameMaxLength),
  /** The other members; the creator is a member (and admin) anyway. */
  memberIds: memberIdsSchema,
});

export type GroupCreatePayload = z.infer<typeof groupCreateSchema>;

export const groupAddMembersSchema = z.strictObject({
  conversationId: conversationIdSchema,
  memberIds: memberIdsSchema,
});

export type GroupAddMembersPayload = z.infer<typeof groupAddMembersSchema>;

export const groupRemoveMemberSchema = z.strictObject({
  conversationId: conversationIdSchema,
  userId: userIdSchema,
});

export type GroupRemoveMemberPayload = z.infer<typeof groupRemoveMemberSchema>;

export const messageDeliveredSchema = z.strictObject({
  conversationId: conversationIdSchema,
  seq: z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .positive('must be positive')
    .max(Limits.seqMax, `must be at most ${Limits.seqMax}`),
});

export type MessageDeliveredPayload = z.infer<typeof messageDeliveredSchema>;

/** One emoji: not blank, at most `Limits.reactionEmojiMaxLength` code points. */
const emojiSchema = nonBlankText(Limits.reactionEmojiMaxLength);

const emojisSchema = z
  .array(emojiSchema, { error: 'must be an array of emojis' })
  .max(Limits.reactionsPerUserMax, `must have at most ${Limits.reactionsPerUserMax} emojis`)
  .refine((emojis) => new Set(emojis).size === emojis.length, 'must not repeat an emoji');

export const messageEditSchema = z.strictObject({
  messageId: messageIdSchema,
  text: nonBlankText(Limits.messageTextMaxLength),
  /** The idempotency key: a retry with the same one makes no second version. */
  clientRequestId: idempotencyKeySchema.optional(),
});

export type MessageEditPayload = z.infer<typeof messageEditSchema>;

export const messageDeleteSchema = z.strictObject({
  messageId: messageIdSchema,
  scope: z.enum(DeleteScopes, { error: 'must be "everyone" or "me"' }),
  clientRequestId: idempotencyKeySchema.optional(),
});

export type MessageDeletePayload = z.infer<typeof messageDeleteSchema>;

export const messageReactSchema = z.strictObject({
  messageId: messageIdSchema,
  /** The caller's whole set of reactions on the message; `[]` clears it. */
  emojis: emojisSchema,
  clientRequestId: idempotencyKeySchema.optional(),
});

export type MessageReactPayload = z.infer<typeof messageReactSchema>;

export const typingSchema = z.strictObject({ conversationId: conversationIdSchema });

export type TypingPayload = z.infer<typeof typingSchema>;

/**
 * A `message.sent` command as the persister accepts it: the same rules for ids and text as the socket event a
 * gateway turned into it, checked again because anything may write to the topic. A 1-1 command names its
 * recipient (never the sender); a group command names none.
 */
export const messageSentCommandSchema = z
  .object({
    conversationId: conversationIdSchema,
    senderId: userIdSchema,
    recipientId: userIdSchema.nullable(),
    clientMessageId: idempotencyKeySchema,
    text: nonBlankText(Limits.messageTextMaxLength),
    sentAt: z.number(),
    replyToId: messageIdSchema.nullable(),
  })
  .refine((command) => command.senderId !== command.recipientId, {
    message: 'must not be the sender',
    path: ['recipientId'],
  }) satisfies z.ZodType<MessageSent>;

export const conversationMuteSchema = z.strictObject({
  conversationId: conversationIdSchema,
  /** When the mute ends (ISO 8601), or null: until unmuted. */
  until: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time or null' }).nullable(),
});

export type ConversationMutePayload = z.infer<typeof conversationMuteSchema>;

export const conversationUnmuteSchema = z.strictObject({ conversationId: conversationIdSchema });

export type ConversationUnmutePayload = z.infer<typeof conversationUnmuteSchema>;

/**
 * A `message.change` command as the persister accepts it: the fields its action needs, by the same rules as the
 * socket events a gateway turned into it.
 */
export const messageChangeCommandSchema = z
  .object({
    conversationId: conversationIdSchema,
    messageId: messageIdSchema,
    actorId: userIdSchema,
    action: z.enum(MessageChangeActions),
    text: nonBlankText(Limits.messageTextMaxLength).nullable(),
    scope: z.enum(DeleteScopes).nullable(),
    emojis: emojisSchema,
    requestId: idempotencyKeySchema,
    at: z.number(),
  })
  .refine((command) => command.action !== 'edit' || command.text !== null, {
    message: 'an edit needs its text',
    path: ['text'],
  })
  .refine((command) => command.action !== 'delete' || command.scope !== null, {
    message: 'a delete needs its scope',
    path: ['scope'],
  }) satisfies z.ZodType<MessageChange>;
