import type { ClientEvent, ClientToServerEvents, ServerToClientEvents } from '@chat/contracts';
import type { Server, Socket } from 'socket.io';

export interface SocketData {
  userId: string;
  /** The token's `exp`, in ms: the socket is told and closed then. */
  tokenExpiresAt: number;
}

// biome-ignore lint/complexity/noBannedTypes: Socket.IO's generic slot for server-to-server events, which we do not use.
type NoInterServerEvents = {};

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, NoInterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, NoInterServerEvents, SocketData>;

/**
 * A listener for every client event, typed by `ClientToServerEvents`: a missing event, or a listener whose
 * payload or ack does not match its event, does not compile. Built once per gateway and shared by every socket.
 */
export type ClientHandlers = { [E in ClientEvent]: ClientToServerEvents[E] };

/** Attaches every client event's listener to a newly connected socket. */
export function listen(socket: ChatSocket, handlers: ClientHandlers): void {
  for (const event of Object.keys(handlers) as ClientEvent[]) listenTo(socket, event, handlers[event]);
}

function listenTo<E extends ClientEvent>(socket: ChatSocket, event: E, listener: ClientToServerEvents[E]) {
  // Socket.IO types a listener through a conditional type TypeScript cannot resolve for a generic event; the
  // pairing of event and listener is already checked, per event, by ClientHandlers.
  socket.on(event, listener as never);
}
