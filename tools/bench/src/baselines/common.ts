import { createServer } from 'node:http';
import type {
  Ack,
  ClientToServerEvents,
  MessageDto,
  MessageSendPayload,
  ServerToClientEvents,
} from '@chat/contracts';
import { Server } from 'socket.io';

// biome-ignore lint/complexity/noBannedTypes: Socket.IO's generic slot for server-to-server events, unused here.
type NoInterServerEvents = {};
type BaselineServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  NoInterServerEvents,
  { userId: string }
>;

/** What differs between baselines: how a message becomes "stored" before it is acked and delivered. */
export type StoreMessage = (senderId: string, payload: MessageSendPayload) => Promise<MessageDto>;

/** The token's subject, read without verifying: baselines measure transport and storage, not auth. */
function subjectOf(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  const claims = token.split('.')[1];
  if (!claims) return undefined;
  const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { sub?: unknown };
  return typeof parsed.sub === 'string' ? parsed.sub : undefined;
}

export function conversationIdOf(userA: string, userB: string): string {
  return `dm_${[userA, userB].sort().join('|')}`;
}

/** The recipient of a send; the baselines model the 1-1 design only. */
export function recipientOf(payload: MessageSendPayload): string {
  if (payload.otherUserId === undefined) throw new Error('the baselines serve 1-1 sends only');
  return payload.otherUserId;
}

/** The message a baseline that stores nothing answers with: our DTO, numbered by the baseline process. */
export function unstoredMessage(senderId: string, payload: MessageSendPayload, seq: number): MessageDto {
  const recipientId = recipientOf(payload);
  const conversationId = conversationIdOf(senderId, recipientId);
  return {
    id: `${conversationId}|${senderId}|${payload.clientMessageId}`,
    conversationId,
    senderId,
    recipientId,
    clientMessageId: payload.clientMessageId,
    text: payload.text,
    seq,
    createdAt: new Date().toISOString(),
    version: 1,
    reactions: [],
    changeSeq: seq,
  };
}

/**
 * A Socket.IO server with the gateway's options and the same events: `message:send` with an ack, then
 * `message:new` to both participants' user rooms. Prints the gateway's "ready" convention as a JSON line.
 */
export async function runBaselineServer(name: string, store: StoreMessage): Promise<BaselineServer> {
  const httpServer = createServer();
  const io: BaselineServer = new Server(httpServer, { maxHttpBufferSize: 64 * 1024 });
  io.use((socket, next) => {
    const userId = subjectOf((socket.handshake.auth as { token?: unknown }).token);
    if (!userId) return next(new Error('no subject in token'));
    socket.data.userId = userId;
    void socket.join(`user:${userId}`);
    next();
  });
  io.on('connection', (socket) => {
    socket.on('message:send', async (payload, ack: (response: Ack<{ message: MessageDto }>) => void) => {
      try {
        const message = await store(socket.data.userId, payload);
        ack({ ok: true, message });
        io.to([`user:${message.senderId}`, `user:${message.recipientId}`]).emit('message:new', message);
      } catch (error) {
        console.error(`${name}: store failed`, error);
        ack({ ok: false, error: { code: 'UNAVAILABLE', message: 'store failed', retriable: true } });
      }
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: `${name} ready`, port })}\n`);
  const stop = () => io.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return io;
}
