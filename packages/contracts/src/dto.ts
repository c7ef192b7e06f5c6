import type {
  ConversationReadPersisted,
  GroupChangePersisted,
  MessageDeliveredPersisted,
  MessagePersisted,
} from './events.js';

/**
 * A stored message as clients see it (socket acks, `message:new`, HTTP history): the `message.persisted`
 * fact with its time as ISO 8601, without the member list it is routed by. `recipientId` is null in a group.
 */
export interface MessageDto extends Omit<MessagePersisted, 'createdAt' | 'memberIds'> {
  createdAt: string;
}

/** The one mapping of a stored message to what clients see. */
export function toMessageDto(message: MessagePersisted): MessageDto {
  const { memberIds: _routing, ...rest } = message;
  return { ...rest, createdAt: new Date(message.createdAt).toISOString() };
}

export type ConversationKind = 'one_to_one' | 'group';
export type GroupRole = 'admin' | 'member';

export interface ParticipantDto {
  userId: string;
  /** In a group: `admin` or `member`; absent in a 1-1 conversation. */
  role?: GroupRole;
  /** When this participant last opened the conversation; null if never. */
  lastReadAt: string | null;
  /** The highest seq this participant's devices reported received (reading counts as receiving); 0 if none. */
  lastDeliveredSeq: number;
}

export interface ConversationDto {
  id: string;
  kind: ConversationKind;
  /** A group's name; absent in a 1-1 conversation. */
  name?: string;
  participants: ParticipantDto[];
  lastMessage: MessageDto | null;
  /** Messages from the other participants newer than the caller's lastReadAt. */
  unreadCount: number;
  /** Null until the first message creates the conversation. */
  createdAt: string | null;
  /** The caller's own mute (all their devices): until when, null for "until unmuted"; null when not muted. */
  muted: MuteDto | null;
}

export interface MuteDto {
  until: string | null;
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
  /** The other user of a 1-1 conversation; null for a group. */
  otherUserId: string | null;
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

/** `conversation:updated`: a group was created or its members changed; the participants after the change. */
export interface ConversationUpdatedDto {
  conversationId: string;
  kind: 'group';
  name: string;
  change: GroupChangePersisted['action'];
  /** Who made the change. */
  actorId: string;
  /** Who was added or removed. */
  userIds: string[];
  participants: ParticipantDto[];
  createdAt: string;
}

/** The one mapping of a stored group change to what clients see. */
export function toConversationUpdatedDto(change: GroupChangePersisted): ConversationUpdatedDto {
  return {
    conversationId: change.conversationId,
    kind: 'group',
    name: change.name,
    change: change.action,
    actorId: change.actorId,
    userIds: change.userIds,
    participants: change.participants.map((participant) => ({
      userId: participant.userId,
      role: participant.role,
      lastReadAt: participant.lastReadAt === null ? null : new Date(participant.lastReadAt).toISOString(),
      lastDeliveredSeq: participant.lastDeliveredSeq,
    })),
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

/** `conversation:delivered`: a member's devices received the conversation's messages up to `seq`. */
export interface DeliveredReceiptDto {
  conversationId: string;
  userId: string;
  seq: number;
}

export function toDeliveredReceiptDto(marker: MessageDeliveredPersisted): DeliveredReceiptDto {
  return { conversationId: marker.conversationId, userId: marker.userId, seq: marker.lastDeliveredSeq };
}

/** `typing`: a member started or stopped typing (or their indicator expired). */
export interface TypingDto {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}
