import type { ClientToServerEvents, ConnectErrorData, ServerToClientEvents } from '@chat/contracts';
import { io, type Socket } from 'socket.io-client';
import { ChatClientError } from './errors.js';

/** A raw Socket.IO connection to the gateway, typed by the contracts. */
export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface OpenSocketOptions {
  token?: string;
  /** The handshake's `auth` as is, instead of `{ token }` (tests of the gateway's checks). */
  auth?: Record<string, unknown>;
  /** The token in the query string: accepted by a gateway in development only. */
  queryToken?: string;
  /** Handshake headers (Node only), e.g. a browser's Origin. */
  extraHeaders?: Record<string, string>;
  /** Socket.IO's transports; WebSocket only unless told (no long-polling round trips before the upgrade). */
  transports?: Array<'websocket' | 'polling' | 'webtransport'>;
  /** How long the handshake may take. */
  timeoutMs?: number;
}

/**
 * Opens one connection and resolves once the gateway accepted it. A refusal rejects with a `ChatClientError`
 * carrying the gateway's code (`UNAUTHORIZED`, `RATE_LIMITED` with `retryAfterMs`, …); a network failure or a
 * handshake that takes too long, with `UNAVAILABLE`. The socket never reconnects by itself: its owner decides.
 */
export function openSocket(url: string, options: OpenSocketOptions = {}): Promise<ChatSocket> {
  const socket: ChatSocket = io(url, {
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: options.timeoutMs ?? 10_000,
    auth: options.auth ?? (options.token === undefined ? {} : { token: options.token }),
    query: options.queryToken === undefined ? {} : { token: options.queryToken },
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: Partial<ConnectErrorData> }) => {
      socket.close();
      reject(refusal(error));
    });
  });
}

/** The handshake's failure as a catalogued error; the original stays as `cause`. */
function refusal(error: Error & { data?: Partial<ConnectErrorData> }): ChatClientError {
  const code = error.data?.code;
  const failure =
    code === undefined
      ? new ChatClientError({ code: 'UNAVAILABLE', message: error.message, retriable: true })
      : new ChatClientError({
          code,
          message: error.message,
          retriable: code === 'RATE_LIMITED' || code === 'UNAVAILABLE',
          retryAfterMs: error.data?.retryAfterMs,
        });
  Object.defineProperty(failure, 'cause', { value: error });
  Object.defineProperty(failure, 'data', { value: error.data });
  return failure;
}
