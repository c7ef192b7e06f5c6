import type { ChatServer } from './socket/server.js';

const USER_ROOM_PREFIX = 'user:';

/** Every socket of a user joins its user room: what presence follows, and where membership changes are told. */
export const userRoom = (userId: string) => `${USER_ROOM_PREFIX}${userId}`;
/** The user whose user room this is, or undefined for any other room (presence, a socket's own id…). */
export const userOfRoom = (room: string) =>
  room.startsWith(USER_ROOM_PREFIX) ? room.slice(USER_ROOM_PREFIX.length) : undefined;
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;

/**
 * The conversation's room on this gateway, holding exactly the local sockets of `memberIds`, or undefined when
 * none of them has a socket here. Every conversation, 1-1 or group, is delivered to through its room, and a fact
 * names the members it is for (the persister's view when it stored it): sockets of members join the room, and
 * sockets of anyone no longer a member leave it, so a removal counts from the next fact on, even when its own
 * fact is read after that one (they travel on different topics).
 */
export function conversationAudience(
  io: ChatServer,
  conversationId: string,
  memberIds: Iterable<string>,
): ReturnType<ChatServer['to']> | undefined {
  const { adapter, sockets } = io.of('/');
  const room = conversationRoom(conversationId);
  const members = new Set(memberIds);
  for (const socketId of adapter.rooms.get(room) ?? []) {
    const socket = sockets.get(socketId);
    if (socket && !members.has(socket.data.userId)) socket.leave(room);
  }
  const local = [...members].map(userRoom).filter((userRoomId) => adapter.rooms.has(userRoomId));
  if (local.length === 0) return undefined;
  io.in(local).socketsJoin(room);
  return io.to(room);
}
