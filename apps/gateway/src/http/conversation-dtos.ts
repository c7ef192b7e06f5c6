import {
  type ConversationDto,
  type InboxEntryDto,
  type MessageDto,
  type MessagePageResponse,
  toMessageDto,
  toParticipantDto,
} from '@chat/contracts';
import {
  type ConversationView,
  type MessageDoc,
  type MessagePage,
  oneToOneConversationId,
  toPersisted,
} from '@chat/storage';

/** What the HTTP reads answer: storage's documents mapped to the contracts' DTOs, here at the edge. */

const toMessageDtoOf = (doc: MessageDoc): MessageDto => toMessageDto(toPersisted(doc, []));

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

export function toMessagePageResponse(page: MessagePage): MessagePageResponse {
  return { messages: page.messages.map(toMessageDtoOf), nextCursor: page.next };
}
