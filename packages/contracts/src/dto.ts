/** A stored 1-1 message as clients see it (socket acks, `message:new`, HTTP history). Times are ISO 8601. */
export interface MessageDto {
  id: string;
  conversationId: string;
  senderId: string;
  recipientId: string;
  clientMessageId: string;
  text: string;
  seq: number;
  createdAt: string;
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
  /** Newest first. */
  messages: MessageDto[];
  /** Pass as `from` to get the next (older) page; null on the last page. */
  nextCursor: number | null;
}
