import { z } from 'zod';
import { ConversationKinds, GroupActions, GroupRoles, MessageUpdateKinds } from './enums.js';
import type {
  ConversationReadPersisted,
  GroupChangePersisted,
  MessageChangePersisted,
  MessageDeliveredPersisted,
  MessagePersisted,
} from './events.js';
import { Limits } from './limits.js';

/*
 * What the server sends clients, each shape written once as a zod schema: the TypeScript types are inferred
 * from it and the JSON Schemas of the OpenAPI and AsyncAPI documents derived from it (api/schemas.ts). Strict on
 * purpose (every field required unless optional, no others), so the tests that validate real responses against
 * the documents catch a mapping below that sends more or less than the schema says.
 */

const dateTime = z.iso.datetime();
const count = z.int().min(0);

const reactionSchema = z.strictObject({
  emoji: z.string(),
  userIds: z.array(z.string()).describe('In the order they reacted.'),
});

export const messageDtoSchema = z
  .strictObject({
    id: z.string(),
    conversationId: z.string(),
    senderId: z.string(),
    recipientId: z.string().nullable(),
    clientMessageId: z.string().max(Limits.clientMessageIdMaxLength),
    text: z.string().describe('"" once the message is deleted for everyone.'),
    seq: z.int().min(1).describe('1, 2, 3… per conversation, with no gaps.'),
    createdAt: dateTime.describe('When the persister stored it.'),
    version: z.int().min(1).describe('1 when sent, +1 per edit.'),
    editedAt: dateTime.optional().describe('When it was last edited.'),
    deletedAt: dateTime.optional().describe('When it was deleted for everyone: a tombstone, its text gone.'),
    reactions: z
      .array(reactionSchema)
      .describe('Each emoji in the order it was first added; an emoji nobody holds any more is dropped.'),
    replyTo: z
      .strictObject({
        id: z.string(),
        seq: z.int().min(1),
        senderId: z.string(),
        text: z
          .string()
          .describe(
            `The quoted text when the reply was sent, cut to ${Limits.replyQuoteMaxLength} code points; "" once the quoted message is deleted for everyone.`,
          ),
      })
      .optional()
      .describe('The message this one replies to.'),
    changeSeq: count.describe("Position of the message's latest change in its conversation's change log."),
  })
  .describe('A stored message (MessageDto); recipientId is null in a group.');

/**
 * A stored message as clients see it (socket acks, `message:new`, HTTP history): the `message.persisted` fact
 * with its time as ISO 8601, without the member list it is routed by. `recipientId` is null in a group.
 */
export type MessageDto = z.infer<typeof messageDtoSchema>;

const isoOf = (millis: number) => new Date(millis).toISOString();

/** The one mapping of a stored message to what clients see. */
export function toMessageDto(message: MessagePersisted): MessageDto {
  const { memberIds: _routing, editedAt, deletedAt, replyTo, createdAt, ...rest } = message;
  return {
    ...rest,
    createdAt: isoOf(createdAt),
    ...(editedAt === null ? {} : { editedAt: isoOf(editedAt) }),
    ...(deletedAt === null ? {} : { deletedAt: isoOf(deletedAt) }),
    ...(replyTo === null ? {} : { replyTo }),
  };
}

export const hiddenMessageDtoSchema = z
  .strictObject({
    id: z.string(),
    conversationId: z.string(),
    seq: z.int().min(1),
    changeSeq: count.describe('The change that hid it, for the caller only.'),
    hiddenForMe: z.literal(true),
  })
  .describe('A message the caller deleted for themselves (HiddenMessageDto): no text, no reactions.');

/** A message the caller deleted for themselves, as their history, catch-up and change log show it. */
export type HiddenMessageDto = z.infer<typeof hiddenMessageDtoSchema>;

export const messageViewSchema = z.union([messageDtoSchema, hiddenMessageDtoSchema]);

/** A message as one user's history shows it: whole, or a stub when they deleted it for themselves. */
export type MessageView = z.infer<typeof messageViewSchema>;

export const participantDtoSchema = z.strictObject({
  userId: z.string(),
  role: z.enum(GroupRoles).optional().describe('In a group only.'),
  lastReadAt: dateTime
    .nullable()
    .describe('When this participant last opened the conversation; null if never.'),
  lastDeliveredSeq: count.describe(
    "The highest seq this participant's devices reported received (reading counts as receiving); 0 if none.",
  ),
});

export type ParticipantDto = z.infer<typeof participantDtoSchema>;

/**
 * A participant as stored or as a fact carries it: times as Date or epoch milliseconds, a role only in a group,
 * markers possibly never set.
 */
export interface ParticipantRecord {
  userId: string;
  role?: ParticipantDto['role'] | null;
  lastReadAt?: Date | number | null;
  lastDeliveredSeq?: number | null;
}

/** The one mapping of a participant to what clients see. */
export function toParticipantDto(participant: ParticipantRecord): ParticipantDto {
  const { userId, role, lastReadAt, lastDeliveredSeq } = participant;
  return {
    userId,
    ...(role ? { role } : {}),
    lastReadAt: lastReadAt == null ? null : new Date(lastReadAt).toISOString(),
    lastDeliveredSeq: lastDeliveredSeq ?? 0,
  };
}

export const muteDtoSchema = z.strictObject({
  until: dateTime.nullable().describe('When the mute ends; null: until unmuted.'),
});

export type MuteDto = z.infer<typeof muteDtoSchema>;

export const conversationDtoSchema = z
  .strictObject({
    id: z.string(),
    kind: z.enum(ConversationKinds),
    name: z.string().optional().describe("A group's name; absent in a 1-1 conversation."),
    participants: z
      .array(participantDtoSchema)
      .describe('Sorted by user id in a 1-1 conversation; in the order they joined in a group.'),
    lastMessage: messageDtoSchema
      .nullable()
      .describe('The latest message, whole (history and the change log show a stub for one the caller hid).'),
    unreadCount: count.describe("Messages from the other participants newer than the caller's lastReadAt."),
    createdAt: dateTime.nullable().describe('Null until the first message creates the conversation.'),
    muted: muteDtoSchema
      .nullable()
      .describe("The caller's own mute of the conversation (all their devices); null when not muted."),
  })
  .describe('A 1-1 or group conversation as the caller sees it (ConversationDto).');

export type ConversationDto = z.infer<typeof conversationDtoSchema>;

export const conversationResponseSchema = z.strictObject({ conversation: conversationDtoSchema });

export type ConversationResponse = z.infer<typeof conversationResponseSchema>;

export const messagePageResponseSchema = z.strictObject({
  messages: z
    .array(messageViewSchema)
    .describe('Newest first with `from` (or neither); oldest first with `after`.'),
  nextCursor: z
    .int()
    .nullable()
    .describe('Pass as `from` (or `after`) to get the next page; null on the last page.'),
});

export type MessagePageResponse = z.infer<typeof messagePageResponseSchema>;

export const changesPageResponseSchema = z.strictObject({
  messages: z
    .array(messageViewSchema)
    .describe(
      'The current snapshot of every message whose latest change is after `after`, by changeSeq, each once.',
    ),
  nextCursor: z.int().nullable().describe('Pass as `after` to get the next page; null on the last page.'),
});

export type ChangesPageResponse = z.infer<typeof changesPageResponseSchema>;

export const receiptsResponseSchema = z.strictObject({
  readBy: z
    .array(z.string())
    .describe(
      'Members other than the sender, members when it was sent, whose lastReadAt is at or after its createdAt.',
    ),
  deliveredTo: z
    .array(z.string())
    .describe('The same members whose lastDeliveredSeq is at or past its seq (reading counts).'),
});

export type ReceiptsResponse = z.infer<typeof receiptsResponseSchema>;

export const versionsResponseSchema = z.strictObject({
  versions: z
    .array(z.strictObject({ version: z.int().min(1), text: z.string(), editedAt: dateTime }))
    .describe(
      "Every version, oldest first, the current one included; version 1's editedAt is createdAt. Empty after a deletion for everyone.",
    ),
});

export type VersionsResponse = z.infer<typeof versionsResponseSchema>;

export const inboxEntryDtoSchema = conversationDtoSchema.extend({
  otherUserId: z.string().nullable().describe('The other user of a 1-1 conversation; null for a group.'),
  lastActivityAt: dateTime.describe("Time of the last message: the inbox's order."),
  updatedAt: dateTime.describe(
    'Time of the last change of any kind (message or read marker): what `updatedSince` compares.',
  ),
});

export type InboxEntryDto = z.infer<typeof inboxEntryDtoSchema>;

export const inboxPageResponseSchema = z.strictObject({
  conversations: z.array(inboxEntryDtoSchema).describe('Most recent activity first.'),
  nextCursor: z
    .string()
    .nullable()
    .describe('Opaque; pass as `cursor` for the next page; null on the last page.'),
});

export type InboxPageResponse = z.infer<typeof inboxPageResponseSchema>;

export const presenceDtoSchema = z.strictObject({
  userId: z.string(),
  online: z.boolean(),
  lastSeenAt: dateTime
    .nullable()
    .describe('When the user was last connected anywhere: now while online; null if never seen.'),
});

export type PresenceDto = z.infer<typeof presenceDtoSchema>;

export const readReceiptDtoSchema = z.strictObject({
  conversationId: z.string(),
  userId: z.string(),
  lastReadAt: dateTime,
});

export type ReadReceiptDto = z.infer<typeof readReceiptDtoSchema>;

/** The one mapping of a moved read marker to what clients see. */
export function toReadReceiptDto(marker: ConversationReadPersisted): ReadReceiptDto {
  return {
    conversationId: marker.conversationId,
    userId: marker.readerId,
    lastReadAt: new Date(marker.lastReadAt).toISOString(),
  };
}

export const conversationUpdatedDtoSchema = z
  .strictObject({
    conversationId: z.string(),
    kind: z.literal('group'),
    name: z.string(),
    change: z.enum(GroupActions),
    actorId: z.string().describe('Who made the change.'),
    userIds: z.array(z.string()).describe('Who was added or removed.'),
    participants: z.array(participantDtoSchema),
    createdAt: dateTime,
  })
  .describe('A group was created or its members changed (ConversationUpdatedDto).');

/** `conversation:updated`: a group was created or its members changed; the participants after the change. */
export type ConversationUpdatedDto = z.infer<typeof conversationUpdatedDtoSchema>;

/** The one mapping of a stored group change to what clients see. */
export function toConversationUpdatedDto(change: GroupChangePersisted): ConversationUpdatedDto {
  return {
    conversationId: change.conversationId,
    kind: 'group',
    name: change.name,
    change: change.action,
    actorId: change.actorId,
    userIds: change.userIds,
    participants: change.participants.map(toParticipantDto),
    createdAt: new Date(change.createdAt).toISOString(),
  };
}

/** A new group as `group:create` acks it: nothing sent yet, nothing unread. */
export function toNewGroupDto(change: ConversationUpdatedDto): ConversationDto {
  return {
    id: change.conversationId,
    kind: 'group',
    name: change.name,
    participants: change.participants,
    createdAt: change.createdAt,
    lastMessage: null,
    unreadCount: 0,
    muted: null,
  };
}

export const deliveredReceiptDtoSchema = z.strictObject({
  conversationId: z.string(),
  userId: z.string(),
  seq: count,
});

/** `conversation:delivered`: a member's devices received the conversation's messages up to `seq`. */
export type DeliveredReceiptDto = z.infer<typeof deliveredReceiptDtoSchema>;

export function toDeliveredReceiptDto(marker: MessageDeliveredPersisted): DeliveredReceiptDto {
  return { conversationId: marker.conversationId, userId: marker.userId, seq: marker.lastDeliveredSeq };
}

export const typingDtoSchema = z.strictObject({
  conversationId: z.string(),
  userId: z.string(),
  isTyping: z.boolean(),
});

/** `typing`: a member started or stopped typing (or their indicator expired). */
export type TypingDto = z.infer<typeof typingDtoSchema>;

export const messageUpdatedDtoSchema = z
  .strictObject({
    conversationId: z.string(),
    change: z.enum(MessageUpdateKinds),
    message: messageDtoSchema.describe('The message after the change.'),
  })
  .describe('A message was edited, deleted for everyone, or its reactions changed (MessageUpdatedDto).');

/** `message:updated`: a message changed; its snapshot after the change. */
export type MessageUpdatedDto = z.infer<typeof messageUpdatedDtoSchema>;

/**
 * The one mapping of a changed message to what clients see. A reply whose quote a deletion emptied is told as a
 * `delete` too: the deletion is what changed it.
 */
export function toMessageUpdatedDto(
  action: MessageChangePersisted['action'],
  message: MessagePersisted,
): MessageUpdatedDto {
  return {
    conversationId: message.conversationId,
    change: action === 'react' ? 'reactions' : action,
    message: toMessageDto(message),
  };
}

export const messageHiddenDtoSchema = z.strictObject({
  conversationId: z.string(),
  messageId: z.string(),
});

/** `message:hidden`: the user deleted this message for themselves (on one of their devices). */
export type MessageHiddenDto = z.infer<typeof messageHiddenDtoSchema>;

/** `GET /healthz`. */
export const healthSchema = z.strictObject({ status: z.literal('ok') });

/** `GET /readyz`: each dependency up or down, and why a down one is. */
export const readinessSchema = z.strictObject({
  ready: z.boolean(),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
  reasons: z.record(z.string(), z.string()).optional(),
});
