import {
  type ConversationDto,
  type InboxEntryDto,
  type MessageDto,
  type MessagePageResponse,
  type MessageView,
  toMessageDto,
  toParticipantDto,
  type VersionsResponse,
} from '@chat/contracts';
import {
  type ConversationView,
  type MemberMessages,
  type MessageDoc,
  type messageVersions,
  oneToOneConversationId,
  toPersisted,
} from '@chat/storage';

/** What the HTTP reads answer: storage's documents mapped to the contracts' DTOs, here at the edge. */

const toMessageDtoOf = (doc: MessageDoc): MessageDto => toMessageDto(toPersisted(doc, []));

/** A message as its reader sees it: a stub, at the changeSeq that hid it, when they deleted it for themselves. */
function toMessageView(doc: MessageDoc, hiddenAt: number | undefined): MessageView {
  if (hiddenAt === undefined) return toMessageDtoOf(doc);
  return {
    id: doc._id,
    conversationId: doc.conversationId,
    seq: doc.seq,
    changeSeq: hiddenAt,
    hiddenForMe: true,
  };
}

export function toConversationDto({
  conversation,
  lastMessage,
  unreadCount,
  mute,
}: ConversationView): ConversationDto {
  return {
    id: conversation._id,
    kind: conversation.kind,
    ...(conversation.kind === 'group' ? { name: conversation.name ?? '' } : {}),
    participants: conversation.participants.map(toParticipantDto),
    lastMessage: lastMessage ? toMessageDtoOf(lastMessage) : null,
    unreadCount,
    createdAt: conversation.createdAt.toISOString(),
    muted: mute && { until: mute.until ? mute.until.toISOString() : null },
  };
}

/** A 1-1 conversation before its first message: the same shape, though nothing is stored (or written by asking). */
export function emptyOneToOneDto(userId: string, otherUserId: string): ConversationDto {
  return {
    id: oneToOneConversationId(userId, otherUserId),
    kind: 'one_to_one',
    participants: [userId, otherUserId]
      .sort()
      .map((participantId) => toParticipantDto({ userId: participantId })),
    lastMessage: null,
    unreadCount: 0,
    createdAt: null,
    muted: null,
  };
}

export function toInboxEntryDto(view: ConversationView, userId: string): InboxEntryDto {
  const { conversation } = view;
  return {
    ...toConversationDto(view),
    otherUserId:
      conversation.kind === 'group'
        ? null
        : (conversation.participantIds.find((id) => id !== userId) ?? userId),
    lastActivityAt: conversation.lastActivityAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

/** A page of history or of the change log, as its reader sees it. */
export function toMessagePageResponse(page: MemberMessages & { next: number | null }): MessagePageResponse {
  return {
    messages: page.messages.map((doc) => toMessageView(doc, page.hidden.get(doc._id))),
    nextCursor: page.next,
  };
}

export function toVersionsResponse(versions: ReturnType<typeof messageVersions>): VersionsResponse {
  return {
    versions: versions.map(({ version, text, editedAt }) => ({
      version,
      text,
      editedAt: editedAt.toISOString(),
    })),
  };
}
