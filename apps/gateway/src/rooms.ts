/** Every socket of a user joins its user room; conversation rooms hold the sockets of their participants. */
export const userRoom = (userId: string) => `user:${userId}`;
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;
