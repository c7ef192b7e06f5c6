import {
  type AckResult,
  type ClientEvent,
  type ClientPayload,
  type ClientToServerEvents,
  type DeliveredReceiptDto,
  type ErrorCode,
  Limits,
  type ReadReceiptDto,
} from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { ChatModels } from '@chat/storage';
import type { ConversationMembers } from '../conversations/conversation-members.js';
import { setMute } from '../conversations/mute.js';
import { AppError } from '../errors.js';
import { addMembers, createGroup, removeMember } from '../groups/group-changes.js';
import type { CommandRequests } from '../kafka/command-requests.js';
import { deleteMessage, editMessage, reactToMessage } from '../messaging/message-changes.js';
import { sendMessage } from '../messaging/send-message.js';
import { type GatewayMetrics, recordSend } from '../metrics.js';
import { type PresenceService, presenceRoom } from '../presence/presence-service.js';
import { markDelivered } from '../receipts/mark-delivered.js';
import { markConversationRead } from '../receipts/mark-read.js';
import type { MarkerWrites } from '../receipts/marker-writes.js';
import { TypingRate } from '../typing/typing-rate.js';
import type { TypingService } from '../typing/typing-service.js';
import { InFlightLimit } from './in-flight-limit.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ChatSocket, ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** What the client events' handlers work with: built once per gateway. */
export interface HandlerDeps {
  logger: Logger;
  metrics: GatewayMetrics;
  models: ChatModels;
  members: ConversationMembers;
  requests: CommandRequests;
  presence: PresenceService;
  typing: TypingService;
  readMarkers: MarkerWrites<ReadReceiptDto>;
  deliveredMarkers: MarkerWrites<DeliveredReceiptDto>;
  maxPendingSends: number;
  /** Sends and message changes per user, across their sockets on this gateway. */
  userSendLimiter: RateLimiter<string>;
}

/** What a client event does once its payload is valid: the socket's user is `socket.data.userId`. */
type Handle<E extends ClientEvent> = (socket: ChatSocket, payload: ClientPayload<E>) => Promise<AckResult<E>>;

/** A handler, with withAck's `admit` (a check before the parse) and `observe` (each answer's outcome) if any. */
interface Handler<E extends ClientEvent> {
  handle: Handle<E>;
  admit?: (socket: ChatSocket) => void;
  observe?: (outcome: 'ok' | ErrorCode, seconds: number) => void;
}

/**
 * Every client event's handler, registered once here: a new event of the contracts does not compile until it
 * has its entry. Each validates nothing and acks nothing itself (withAck does both, from the event's entry in
 * the socket event table): it calls the domain and returns what the ack carries.
 */
function handlers(deps: HandlerDeps): { [E in ClientEvent]: Handler<E> | Handle<E> } {
  /** Sends and changes still waiting for their ack, per socket. */
  const awaitingAck = new InFlightLimit<ChatSocket>(deps.maxPendingSends, 'tooManyPendingSends');
  // Sends and changes are commands the persister stores: they share the per-user rate and the per-socket pending
  // limit. The rate is taken before the payload is parsed, so a user over it costs no parse.
  const admit = (socket: ChatSocket) => {
    const retryAfterMs = deps.userSendLimiter.take(socket.data.userId);
    if (retryAfterMs !== undefined) throw new AppError('tooManySends', { retryAfterMs });
  };
  const typingRate = new TypingRate(Limits.typingEventsPerWindow, Limits.typingRateWindowMs);
  const typing = (isTyping: boolean) => async (socket: ChatSocket, payload: { conversationId: string }) => {
    typingRate.take(socket);
    await deps.typing.change(socket.data.userId, payload.conversationId, isTyping);
    return {};
  };
  return {
    'message:send': {
      handle: (socket, payload) =>
        awaitingAck.run(socket, async () => ({
          message: await sendMessage(deps, socket.data.userId, payload),
        })),
      admit,
      observe: (outcome, seconds) => recordSend(deps.metrics, outcome, seconds),
    },
    'message:edit': {
      handle: (socket, payload) =>
        awaitingAck.run(socket, () => editMessage(deps, socket.data.userId, payload)),
      admit,
    },
    'message:delete': {
      handle: (socket, payload) =>
        awaitingAck.run(socket, () => deleteMessage(deps, socket.data.userId, payload)),
      admit,
    },
    'message:react': {
      handle: (socket, payload) =>
        awaitingAck.run(socket, () => reactToMessage(deps, socket.data.userId, payload)),
      admit,
    },
    // "I opened this chat now": acked once the marker is stored.
    'conversation:read': (socket, payload) => markConversationRead(deps, socket.data.userId, payload),
    'message:delivered': (socket, payload) => markDelivered(deps, socket.data.userId, payload),
    'conversation:mute': (socket, payload) => setMute(deps, socket.data.userId, payload),
    'conversation:unmute': (socket, payload) => setMute(deps, socket.data.userId, payload),
    'group:create': (socket, payload) => createGroup(deps, socket.data.userId, payload),
    'group:add-members': (socket, payload) => addMembers(deps, socket.data.userId, payload),
    'group:remove-member': (socket, payload) => removeMember(deps, socket.data.userId, payload),
    // Any authenticated user may watch any user id (like a public "last seen"); a deployment that needs privacy
    // rules adds them here. A socket's own connection counts for its user's presence through its user room.
    'presence:subscribe': async (socket, { userIds }) => {
      const unique = [...new Set(userIds)];
      // Join first, then read: a change between the two is pushed, never lost.
      await socket.join(unique.map(presenceRoom));
      return { presence: await deps.presence.snapshot(unique) };
    },
    'presence:unsubscribe': async (socket, { userIds }) => {
      for (const userId of userIds) await socket.leave(presenceRoom(userId));
      return {};
    },
    // Never stored, ack optional, rate-limited per socket.
    'typing:start': typing(true),
    'typing:stop': typing(false),
  };
}

/**
 * The listeners of every client event, built once per gateway and shared by every socket: an idle connection
 * holds only its listener entries.
 */
export function createClientHandlers(deps: HandlerDeps): ClientHandlers {
  const table = handlers(deps);
  return Object.fromEntries(
    (Object.keys(table) as ClientEvent[]).map((event) => [
      event,
      listenerOf(event, table[event], deps.logger),
    ]),
  ) as ClientHandlers;
}

function listenerOf<E extends ClientEvent>(
  event: E,
  entry: Handler<E> | Handle<E>,
  logger: Logger,
): ClientToServerEvents[E] {
  const { handle, admit, observe } = typeof entry === 'function' ? { handle: entry } : entry;
  return withAck(event, logger, handle, observe, { admit });
}
