const USER_ROOM_PREFIX = 'user:';

/** Every socket of a user joins its user room; conversation rooms hold the sockets of their participants. */
export const userRoom = (userId: string) => `${USER_ROOM_PREFIX}${userId}`;
/** The user whose user room this is, or undefined for any other room (presence, a socket's own id…). */
export const userOfRoom = (room: string) =>
  room.startsWith(USER_ROOM_PREFIX) ? room.slice(USER_ROOM_PREFIX.length) : undefined;
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;
