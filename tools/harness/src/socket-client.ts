import type { ClientToServerEvents, ServerToClientEvents } from '@chat/contracts';
import { io, type Socket } from 'socket.io-client';

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io-client connection; resolves once connected, rejects with the connect_error otherwise. */
export function connectClient(
  url: string,
  options: {
    token?: string;
    queryToken?: string;
    auth?: Record<string, unknown>;
    /** Handshake headers, e.g. a browser's Origin. */
    extraHeaders?: Record<string, string>;
  } = {},
): Promise<ChatClient> {
  const socket: ChatClient = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? (options.token ? { token: options.token } : {}),
    query: options.queryToken ? { token: options.queryToken } : {},
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}
