import type { ClientToServerEvents, ServerToClientEvents } from '@chat/contracts';
import { mintToken } from '@chat/harness';
import { io, type Socket } from 'socket.io-client';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The one client harness every target gets: real socket.io-client, WebSocket only, a signed HS256 token.
 * `localAddress` binds the client to one of several loopback source addresses; leave it out for other hosts.
 */
export function connect(
  url: string,
  userId: string,
  jwtSecret: string,
  localAddress: string | undefined,
): Promise<Client> {
  const token = mintToken(userId, { secret: jwtSecret });
  const options: Parameters<typeof io>[1] & { localAddress?: string } = {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 30_000,
    auth: { token },
    // Each source address has its own ~28k ephemeral ports: spreading clients gets past that limit.
    // Passed through to the `ws` WebSocket by engine.io-client, though its option types do not list it.
    ...(localAddress ? { localAddress } : {}),
  };
  const socket: Client = io(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Source addresses spread clients over 127.0.0.x only when the server is on this machine's IPv4 loopback. */
export function sourceAddressesFor(url: string, loopbackAddresses: string[]): string[] {
  return /^127\.\d+\.\d+\.\d+$/.test(new URL(url).hostname) ? loopbackAddresses : [];
}
