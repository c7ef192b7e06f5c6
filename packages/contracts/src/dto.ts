import type { ConversationReadPersisted, MessagePersisted } from './events.js';

/**
 * A stored 1-1 message as clients see it (socket acks, `message:new`, HTTP history): the `message.persisted`
 * fact with its time as ISO 8601.
 */
export interface MessageDto extends Omit<MessagePersisted, 'createdAt'> {
  createdAt: string;
}

/** The one mapping of a stored message to what clients see. */
export function toMessageDto(message: MessagePersisted): MessageDto {
  return { ...message, createdAt: new Date(message.createdAt).toISOString() };
}

export interface ParticipantDto {
  userId: string;
  /** When this participant last opened the conversation; null if never. */
  lastReadAt: string | null;
}

export interface ConversationDto {
  id: string;
  participants: ParticipantDto[];
  lastMessage: MessageDto | null;
  /** Messages from the other participant newer than the caller's lastReadAt. */
  unreadCount: number;
  /** Null until the first message creates the conversation. */
  createdAt: string | null;
}

export interface ConversationResponse {
  conversation: ConversationDto;
}

export interface MessagePageResponse {
  /** Newest first with `from` (or neither); oldest first with `after`. */
  messages: MessageDto[];
  /** Pass as `from` (or `after`) to get the next page; null on the last page. */
  nextCursor: number | null;
}

export interface InboxEntryDto extends ConversationDto {
  otherUserId: string;
  /** Time of the last message: the inbox's order. */
  lastActivityAt: string;
  /** Time of the last change of any kind (message or read marker): what `updatedSince` compares. */
  updatedAt: string;
}

export interface InboxPageResponse {
  /** Most recent activity first. */
  conversations: InboxEntryDto[];
  /** Opaque; pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PresenceDto {
  userId: string;
  online: boolean;
  /** When the user was last connected anywhere: now while online; null if never seen. */
  lastSeenAt: string | null;
}

export interface ReadReceiptDto {
  conversationId: string;
  userId: string;
  lastReadAt: string;
}

/** The one mapping of a moved read marker to what clients see. */
export function toReadReceiptDto(marker: ConversationReadPersisted): ReadReceiptDto {
  return {
    conversationId: marker.conversationId,
    userId: marker.readerId,
    lastReadAt: new Date(marker.lastReadAt).toISOString(),
  };
}
