import type { ClientToServerEvents, ServerToClientEvents } from '@chat/contracts';
import type { Server, Socket } from 'socket.io';

export interface SocketData {
  userId: string;
}

// biome-ignore lint/complexity/noBannedTypes: Socket.IO's generic slot for server-to-server events, which we do not use.
type NoInterServerEvents = {};

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, NoInterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, NoInterServerEvents, SocketData>;

/** Attaches one feature's listeners to a newly connected socket; the listeners themselves are shared. */
export type RegisterHandlers = (socket: ChatSocket) => void;
