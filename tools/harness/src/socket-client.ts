import { type ChatSocket, type OpenSocketOptions, openSocket } from '@chat/client';

export type { ChatSocket };

/**
 * A raw socket.io-client connection, for tests of the protocol itself (invalid payloads, limits, handshake
 * checks) and for load generators that stay thin, opened by the client library's `openSocket`: resolves once
 * connected, rejects with the refusal.
 */
export function connectClient(url: string, options: OpenSocketOptions = {}): Promise<ChatSocket> {
  return openSocket(url, options);
}
