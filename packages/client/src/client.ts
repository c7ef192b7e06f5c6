import type {
  Ack,
  AckResult,
  ClientEvent,
  ClientPayload,
  ConversationDto,
  ConversationReadPayload,
  ConversationUpdatedDto,
  DeleteScope,
  DeliveredReceiptDto,
  ErrorCode,
  MessageDto,
  MessageHiddenDto,
  MessageUpdatedDto,
  ParticipantDto,
  PresenceDto,
  ReadReceiptDto,
  TypingDto,
} from '@chat/contracts';
import { type BackoffOptions, DEFAULT_BACKOFF, retryDelay } from './backoff.js';
import { DeliveredMarks } from './delivered.js';
import { Emitter } from './emitter.js';
import { ChatClientError, unavailable } from './errors.js';
import { ChatHttp, type TokenSource } from './http.js';
import { SeqOrder, type StreamEntry } from './ordering.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { type ChatSocket, openSocket } from './socket.js';
import { type ClientState, parseState } from './state.js';

export interface ChatClientOptions {
  /** The gateway, e.g. `http://127.0.0.1:3000`; a function is asked again before each connection attempt. */
  url: string | (() => string);
  /** The access token, or a function called for a fresh one whenever the current one is refused or expires. */
  token: string | (() => Promise<string> | string);
  /** What `state()` returned earlier: the client resumes from it. */
  state?: ClientState;
  /** How long `send()` keeps retrying after the call (default 60 s). */
  sendTimeoutMs?: number;
  /** How long one attempt waits for its ack before it counts as lost (default 15 s, above the gateway's 10 s). */
  ackTimeoutMs?: number;
  /** Messages per history page in a catch-up (1–100, default 100). */
  pageSize?: number;
  /** Send `message:delivered` by itself: one per conversation with its highest seq, `debounceMs` after the first. */
  autoDelivered?: boolean | { debounceMs: number };
  /** Waits between reconnects and resends. */
  backoff?: BackoffOptions;
  /** Sends awaiting their ack at once, at most (the gateway refuses more than 100 per socket). */
  maxInFlight?: number;
  /** Socket.IO transports (default WebSocket only). */
  transports?: Array<'websocket' | 'polling' | 'webtransport'>;
  /** How long one connection handshake may take (default 10 s). */
  connectTimeoutMs?: number;
}

export type SendInput = {
  text: string;
  clientMessageId?: string;
  /** A message of the same conversation this one replies to: the stored message quotes it (`replyTo`). */
  replyToId?: string;
} & (
  | { otherUserId: string; conversationId?: undefined }
  | { conversationId: string; otherUserId?: undefined }
);

/**
 * `connecting` before the first connection, `syncing` while catching up after each, `online` once caught up,
 * `offline` while reconnecting, `closed` after `close()` or a refusal no retry can cure (see `error`).
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'syncing' | 'online' | 'offline' | 'closed';

/** One try at sending a message: acked, answered with an error code, or no answer (lost connection, timeout). */
export interface SendAttempt {
  clientMessageId: string;
  at: number;
  outcome: 'acked' | ErrorCode | 'no-answer';
}

export interface ChatClientEvents {
  /** Each message of the user's conversations once, in seq order per conversation (own sends included). */
  message: (message: MessageDto) => void;
  status: (status: ConnectionStatus) => void;
  presence: (presence: PresenceDto) => void;
  read: (receipt: ReadReceiptDto) => void;
  delivered: (receipt: DeliveredReceiptDto) => void;
  typing: (typing: TypingDto) => void;
  /**
   * A message was edited, deleted for everyone or its reactions changed: its snapshot after the change. Live only
   * (and possibly more than once): keep the snapshot with the highest `changeSeq` per message id, and read what
   * changed while offline from `api.changes`.
   */
  updated: (update: MessageUpdatedDto) => void;
  /** The user deleted this message for themselves, on this device or another. */
  hidden: (hidden: MessageHiddenDto) => void;
  /** A group was created or its members changed. */
  conversation: (update: ConversationUpdatedDto) => void;
  attempt: (attempt: SendAttempt) => void;
  /** A send resumed from a saved state (it has no caller to reject) was given up on. */
  sendFailed: (entry: OutboxEntry, error: ChatClientError) => void;
  /** Something went wrong that no call returns: a catch-up that failed, a refusal that closes the client. */
  error: (error: ChatClientError) => void;
}

interface PendingSend {
  entry: OutboxEntry;
  attempts: number;
  inFlight: boolean;
  /** Not tried again before this time. */
  retryAt: number;
  lastCode?: ErrorCode;
  deadline: ReturnType<typeof setTimeout>;
  resolve?: (message: MessageDto) => void;
  reject?: (error: ChatClientError) => void;
}

const CATCH_UP_CONCURRENCY = 4;
/** History answers that no retry changes: a conversation this user never was in (or no longer may read). */
const CLOSED_HISTORY = new Set<ErrorCode>(['NOT_FOUND', 'FORBIDDEN']);
const PRESENCE_BATCH = 100;
const DEFAULT_DELIVERED_DEBOUNCE_MS = 1000;

/**
 * The one right way to talk to the service. It keeps one connection open (reconnecting with backoff, to the same
 * or another gateway, with a fresh token when needed), resends every message with its `clientMessageId` until it
 * is stored, and emits each message of the user's conversations once and in order, catching up over HTTP after
 * every reconnect. `state()` saves where it stands; `new ChatClient({ state })` resumes from there.
 */
export class ChatClient extends Emitter<ChatClientEvents> {
  /** The gateway's HTTP routes (inbox, conversations, history), with this client's token. */
  readonly api: ChatHttp;
  /** Counters for tests and dashboards: history pages fetched to catch up, connections made. */
  readonly stats = { catchUpPages: 0, connections: 0 };

  private readonly sendTimeoutMs: number;
  private readonly ackTimeoutMs: number;
  private readonly pageSize: number;
  private readonly backoff: BackoffOptions;
  private readonly maxInFlight: number;
  private readonly deliveredDebounceMs: number | undefined;
  private readonly streams = new Map<string, SeqOrder>();
  private readonly outbox: Outbox;
  private readonly sends = new Map<string, PendingSend>();
  private readonly marks = new DeliveredMarks();
  private readonly watched = new Set<string>();
  private readonly catchUps = new Map<string, Promise<void>>();
  private readonly catchUpAgain = new Set<string>();
  private readonly tokens: TokenSource;
  /** Until when everything was seen (this client's clock): see `ClientState.syncedAt`. */
  private syncedAt: number;
  /** Whether there is a past to catch up on: a saved state, or an earlier connection. */
  private hasPast: boolean;
  private token: string | undefined;
  private refreshing: Promise<string | undefined> | undefined;
  private socket: ChatSocket | undefined;
  private live = false;
  private closed = false;
  private currentStatus: ConnectionStatus = 'idle';
  /** The gateway of the current (or last) connection; HTTP requests go there too. */
  private url: string | undefined;
  private running: Promise<void> | undefined;
  private connected: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
  private readonly liveWaiters = new Set<() => void>();
  private pausedUntil = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | undefined;
  private deliveredTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: ChatClientOptions) {
    super();
    this.sendTimeoutMs = options.sendTimeoutMs ?? 60_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.pageSize = Math.min(100, Math.max(1, options.pageSize ?? 100));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxInFlight = options.maxInFlight ?? 50;
    const auto = options.autoDelivered;
    this.deliveredDebounceMs =
      auto === true ? DEFAULT_DELIVERED_DEBOUNCE_MS : auto ? auto.debounceMs : undefined;
    this.token = typeof options.token === 'string' ? options.token : undefined;
    const state = options.state === undefined ? undefined : parseState(options.state);
    for (const [conversationId, seq] of Object.entries(state?.conversations ?? {}))
      this.streams.set(conversationId, new SeqOrder(seq));
    this.outbox = new Outbox(state?.outbox);
    this.syncedAt = state ? Date.parse(state.syncedAt) : Date.now();
    this.hasPast = state !== undefined;
    this.tokens = { current: () => this.currentToken(), refresh: () => this.refreshToken() };
    this.api = new ChatHttp(() => this.url ?? this.resolveUrl(), this.tokens, this.ackTimeoutMs);
    this.connected = deferred();
    // Resumed sends have no caller: they are tried like any other, and reported by `sendFailed` if given up.
    for (const entry of this.outbox.list()) this.track(entry);
  }

  /** The connection's state now. */
  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** The user id in the token (read without verifying it: the server decides who this is). */
  get userId(): string | undefined {
    return this.token === undefined ? undefined : subjectOf(this.token);
  }

  /**
   * Connects, catches up every conversation the client knows (and, when resuming, those new since), emitting
   * their messages, and resolves once live. It keeps reconnecting after a drop until `close()`. Rejects when the
   * gateway refuses in a way no retry cures (a token refused even fresh, too many connections).
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('ChatClient is closed'));
    if (!this.running) {
      this.setStatus('connecting');
      this.running = this.run();
    }
    return this.connected.promise;
  }

  /**
   * Sends a message and resolves with it as stored. Retriable failures and lost connections are retried with the
   * same `clientMessageId` until `sendTimeoutMs` after the call; sends made while offline wait in the outbox and
   * go out in order. Rejects with a `ChatClientError` at once for a non-retriable code, and at the deadline with
   * the last code seen (`UNAVAILABLE` if none).
   */
  send(input: SendInput): Promise<MessageDto> {
    const { clientMessageId = randomId(), text, replyToId } = input;
    const reply = replyToId === undefined ? {} : { replyToId };
    const entry: OutboxEntry =
      input.conversationId !== undefined
        ? { clientMessageId, conversationId: input.conversationId, text, ...reply }
        : { clientMessageId, otherUserId: input.otherUserId as string, text, ...reply };
    const running = this.sends.get(clientMessageId);
    if (running?.resolve) return Promise.reject(new Error(`a send of ${clientMessageId} is already running`));
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(unavailable('The client is closed.'));
        return;
      }
      if (running) {
        // A resumed send the application sends again: the same message, now with a caller.
        Object.assign(running, { resolve, reject });
        return;
      }
      this.outbox.add(entry);
      this.track(entry, resolve, reject);
      this.pump();
    });
  }

  /** JSON-serializable: where the client stands, including the sends not yet stored. */
  state(): ClientState {
    const conversations: Record<string, number> = {};
    for (const [id, stream] of this.streams)
      if (stream.lastSeq !== undefined) conversations[id] = stream.lastSeq;
    return {
      version: 1,
      conversations,
      syncedAt: new Date(this.syncedAt).toISOString(),
      outbox: this.outbox.list(),
    };
  }

  /**
   * Disconnects for good. Sends still running reject with `UNAVAILABLE` but stay in `state()`'s outbox, so a
   * client resumed from that state sends them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.shutDown(unavailable('The client was closed before this was done.'));
    await this.running;
  }

  // ---- presence, receipts, typing, groups ---------------------------------------------------------------

  /** Current presence of each id; then `presence` events, kept up across reconnects until unsubscribed. */
  async subscribePresence(userIds: string[]): Promise<PresenceDto[]> {
    for (const userId of userIds) this.watched.add(userId);
    return (await this.request('presence:subscribe', { userIds })).presence;
  }

  async unsubscribePresence(userIds: string[]): Promise<void> {
    for (const userId of userIds) this.watched.delete(userId);
    await this.request('presence:unsubscribe', { userIds });
  }

  /** "I opened this conversation now" (or at `readAt`); resolves with the stored marker. */
  markRead(payload: ConversationReadPayload): Promise<AckResult<'conversation:read'>> {
    return this.request('conversation:read', payload);
  }

  /** "This device received the conversation's messages up to `seq`"; resolves with the stored marker. */
  markDelivered(conversationId: string, seq: number): Promise<AckResult<'message:delivered'>> {
    return this.request('message:delivered', { conversationId, seq });
  }

  /** Starts or refreshes the typing indicator (it expires 5 s after the last start). Dropped while offline. */
  startTyping(conversationId: string): void {
    if (this.live) this.socket?.emit('typing:start', { conversationId });
  }

  stopTyping(conversationId: string): void {
    if (this.live) this.socket?.emit('typing:stop', { conversationId });
  }

  /** Creates a group with this user as admin; retried with the same `clientRequestId`, so it is made once. */
  async createGroup(group: {
    name: string;
    memberIds: string[];
    clientRequestId?: string;
  }): Promise<ConversationDto> {
    const { clientRequestId = randomId(), name, memberIds } = group;
    return (await this.request('group:create', { clientRequestId, name, memberIds })).conversation;
  }

  async addMembers(conversationId: string, memberIds: string[]): Promise<ParticipantDto[]> {
    return (await this.request('group:add-members', { conversationId, memberIds })).participants;
  }

  /** Removes a member (admins), or leaves (anyone, with their own id). */
  async removeMember(conversationId: string, userId: string): Promise<ParticipantDto[]> {
    return (await this.request('group:remove-member', { conversationId, userId })).participants;
  }

  // ---- a message's life: edit, delete, react ------------------------------------------------------------

  /**
   * Edits the user's own message (within the server's edit window) and resolves with it as stored, its version
   * one up. Retried with the same `clientRequestId`, so a retry never makes a second version.
   */
  async edit(messageId: string, text: string, clientRequestId = randomId()): Promise<MessageDto> {
    return (await this.request('message:edit', { messageId, text, clientRequestId })).message;
  }

  /** Deletes a message for everyone (its sender, or a group admin) or, with `'me'`, for this user's devices. */
  async deleteMessage(messageId: string, scope: DeleteScope, clientRequestId = randomId()): Promise<void> {
    await this.request('message:delete', { messageId, scope, clientRequestId });
  }

  /** Sets the user's whole set of reactions on a message (`[]` clears it); resolves with the message after it. */
  async react(messageId: string, emojis: string[], clientRequestId = randomId()): Promise<MessageDto> {
    return (await this.request('message:react', { messageId, emojis, clientRequestId })).message;
  }

  /**
   * Emits an event whose answer is idempotent and waits for its ack, retrying retriable failures and lost
   * connections until `sendTimeoutMs` (or `timeoutMs`) has passed.
   */
  async request<E extends ClientEvent>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = this.sendTimeoutMs,
  ): Promise<AckResult<E>> {
    const deadline = Date.now() + timeoutMs;
    let lastCode: ErrorCode | undefined;
    for (let attempt = 0; ; attempt++) {
      const socket = await this.whenLive(deadline);
      if (!socket)
        throw this.closed ? unavailable('The client is closed.') : deadlineError(timeoutMs, lastCode);
      const ack = await this.emitWithAck(
        socket,
        event,
        payload,
        Math.min(this.ackTimeoutMs, deadline - Date.now()),
      );
      if (ack?.ok) return ack as AckResult<E>;
      if (ack && !ack.error.retriable) throw new ChatClientError(ack.error);
      if (ack) lastCode = ack.error.code;
      const wait = retryDelay(attempt, this.backoff, ack?.error.retryAfterMs);
      if (Date.now() + wait >= deadline) throw deadlineError(timeoutMs, lastCode);
      await sleep(wait);
      if (this.closed) throw unavailable('The client is closed.');
    }
  }

  // ---- the connection ----------------------------------------------------------------------------------

  private async run(): Promise<void> {
    let failures = 0;
    let refusedFresh = false;
    while (!this.closed) {
      let socket: ChatSocket;
      try {
        const token = await this.tokens.current();
        this.url = this.resolveUrl();
        socket = await openSocket(this.url, {
          token,
          transports: this.options.transports,
          timeoutMs: this.options.connectTimeoutMs,
        });
      } catch (error) {
        const failure = asClientError(error);
        if (failure.code === 'UNAUTHORIZED' && !refusedFresh && typeof this.options.token === 'function') {
          refusedFresh = true;
          this.token = undefined;
          continue;
        }
        if (!failure.retriable) {
          this.fail(failure);
          return;
        }
        await this.pause(retryDelay(failures++, this.backoff, failure.retryAfterMs));
        continue;
      }
      if (this.closed) {
        socket.disconnect();
        return;
      }
      failures = 0;
      refusedFresh = false;
      this.stats.connections += 1;
      const after = await this.session(socket);
      if (after.expired) {
        if (typeof this.options.token !== 'function') {
          this.fail(new ChatClientError(after.expired));
          return;
        }
        this.token = undefined;
      }
      if (after.retryAfterMs) await this.pause(after.retryAfterMs);
    }
  }

  /** One connection, from its catch-up to its end; tells why it ended when the server said so. */
  private async session(socket: ChatSocket): Promise<{ expired?: ChatClientError; retryAfterMs?: number }> {
    this.socket = socket;
    const outcome: { expired?: ChatClientError; retryAfterMs?: number } = {};
    const ended = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    socket.on('message:new', (message) => this.accept(message));
    socket.on('presence:update', (presence) => this.emit('presence', presence));
    socket.on('conversation:read', (receipt) => this.emit('read', receipt));
    socket.on('conversation:delivered', (receipt) => this.emit('delivered', receipt));
    socket.on('typing', (typing) => this.emit('typing', typing));
    socket.on('conversation:updated', (update) => this.emit('conversation', update));
    socket.on('message:updated', (update) => this.emit('updated', update));
    socket.on('message:hidden', (hidden) => this.emit('hidden', hidden));
    socket.on('session:expired', (error) => {
      outcome.expired = new ChatClientError(error);
    });
    socket.on('session:closed', (error) => {
      outcome.retryAfterMs = error.retryAfterMs;
    });
    this.setStatus('syncing');
    try {
      // A connection lost meanwhile ends the catch-up's turn; the next connection catches up again.
      await Promise.race([
        (async () => {
          await this.synchronize();
          await this.resubscribePresence(socket);
        })(),
        ended,
      ]);
    } catch (error) {
      // A catch-up that failed leaves a gap this connection cannot close: start over on a new one.
      if (socket.connected) this.emit('error', asClientError(error));
      socket.disconnect();
    }
    if (socket.connected && !this.closed) {
      this.live = true;
      this.hasPast = true;
      this.setStatus('online');
      this.connected.resolve();
      for (const wake of this.liveWaiters) wake();
      this.pump();
      this.scheduleDelivered();
    }
    await ended;
    this.live = false;
    this.socket = undefined;
    if (!this.closed) this.setStatus('offline');
    return outcome;
  }

  /**
   * Catches up after a (re)connect: first finds, through the inbox, conversations changed since `syncedAt` that
   * the client does not know, then pages every conversation from its last seq. Live messages that arrive
   * meanwhile wait in their conversation's order.
   */
  private async synchronize(): Promise<void> {
    const startedAt = Date.now();
    if (this.hasPast) {
      const updatedSince = new Date(this.syncedAt).toISOString();
      let cursor: string | undefined;
      do {
        const page = await this.api.inbox({ updatedSince, limit: 100, cursor });
        for (const entry of page.conversations)
          if (!this.streams.has(entry.id)) this.streams.set(entry.id, new SeqOrder());
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    const ids = [...this.streams.keys()];
    await Promise.all(
      Array.from({ length: CATCH_UP_CONCURRENCY }, async () => {
        for (let id = ids.shift(); id !== undefined; id = ids.shift()) await this.catchUp(id);
      }),
    );
    // Everything stored before this sync began is now emitted or was never the client's to see: a conversation
    // still unknown to it after this point can only have messages stored later.
    this.syncedAt = startedAt;
  }

  private async resubscribePresence(socket: ChatSocket): Promise<void> {
    const userIds = [...this.watched];
    for (let start = 0; start < userIds.length; start += PRESENCE_BATCH) {
      const ack = await this.emitWithAck(socket, 'presence:subscribe', {
        userIds: userIds.slice(start, start + PRESENCE_BATCH),
      });
      // Whatever changed while the client was away is news to it.
      if (ack?.ok) for (const presence of ack.presence) this.emit('presence', presence);
    }
  }

  // ---- ordering and catch-up ---------------------------------------------------------------------------

  /** A message from the socket, an ack or a history page: emitted when next in its conversation's order. */
  private accept(message: MessageDto): void {
    let stream = this.streams.get(message.conversationId);
    if (!stream) {
      // A conversation's first message leaves nothing before it to find out about.
      stream = new SeqOrder(message.seq === 1 ? 0 : undefined);
      this.streams.set(message.conversationId, stream);
    }
    this.emitInOrder(stream.add(message));
    if (stream.waiting) void this.catchUp(message.conversationId).catch(() => {});
  }

  /** Fetches what a conversation misses; one run per conversation at a time, run again if asked meanwhile. */
  private catchUp(conversationId: string): Promise<void> {
    const running = this.catchUps.get(conversationId);
    if (running) {
      this.catchUpAgain.add(conversationId);
      return running;
    }
    const run = (async () => {
      do {
        this.catchUpAgain.delete(conversationId);
        try {
          await this.fetchMissing(conversationId);
        } catch (error) {
          if (!(error instanceof ChatClientError) || !CLOSED_HISTORY.has(error.code)) throw error;
          // Its history is closed to this user: nothing will fill a gap, and retrying would never end.
          this.emit('error', error);
          const stream = this.streams.get(conversationId);
          if (stream) this.emitInOrder([...stream.start(0), ...stream.skipGaps()]);
          return;
        }
      } while (this.catchUpAgain.has(conversationId) && !this.closed);
    })();
    this.catchUps.set(conversationId, run);
    return run
      .catch((error: unknown) => {
        // Outside a sync nothing else would close the gap before the next reconnect: try again, and say so.
        if (!this.closed && this.live) {
          this.emit('error', asClientError(error));
          setTimeout(
            () => {
              if (this.live && this.streams.get(conversationId)?.waiting)
                void this.catchUp(conversationId).catch(() => {});
            },
            retryDelay(3, this.backoff),
          );
        }
        throw error;
      })
      .finally(() => this.catchUps.delete(conversationId));
  }

  private async fetchMissing(conversationId: string): Promise<void> {
    let stream = this.streams.get(conversationId);
    if (!stream) {
      stream = new SeqOrder();
      this.streams.set(conversationId, stream);
    }
    if (stream.lastSeq === undefined) await this.findStart(conversationId, stream);
    for (;;) {
      const before = stream.lastSeq;
      let after = stream.lastSeq;
      for (;;) {
        const page = await this.api.history(conversationId, { after, limit: this.pageSize });
        this.stats.catchUpPages += 1;
        for (const message of page.messages) this.emitInOrder(stream.add(message));
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
      if (!stream.waiting || this.closed) return;
      // A held message newer than the last page: ask again, unless the last round found nothing (the server
      // has nothing in the gap, as for a member removed meanwhile), then stop waiting.
      if (stream.lastSeq === before) {
        this.emitInOrder(stream.skipGaps());
        return;
      }
    }
  }

  /**
   * Where the client's view of a conversation it has never seen begins: after the last message stored before
   * `syncedAt`. Reads history newest first until it gets there.
   */
  private async findStart(conversationId: string, stream: SeqOrder): Promise<void> {
    const newer: MessageDto[] = [];
    let start = 0;
    let from: number | undefined;
    for (;;) {
      const page = await this.api.history(conversationId, { from, limit: this.pageSize });
      this.stats.catchUpPages += 1;
      // A stub of a message the user deleted for themselves has no time: it is placed by the messages around it.
      const timed = page.messages.filter((message): message is MessageDto => !('hiddenForMe' in message));
      const older = timed.find((message) => Date.parse(message.createdAt) <= this.syncedAt);
      newer.push(...timed.filter((message) => Date.parse(message.createdAt) > this.syncedAt));
      if (older) {
        start = older.seq;
        break;
      }
      if (page.nextCursor === null) break;
      from = page.nextCursor;
    }
    this.emitInOrder(stream.start(newer.length > 0 ? Math.min(...newer.map((m) => m.seq)) - 1 : start));
    for (const message of newer.reverse()) this.emitInOrder(stream.add(message));
  }

  /** Emits messages in seq order; a stub of one the user deleted for themselves only moves the stream on. */
  private emitInOrder(entries: StreamEntry[]): void {
    for (const message of entries) {
      if ('hiddenForMe' in message) continue;
      this.emit('message', message);
      if (this.deliveredDebounceMs !== undefined && message.senderId !== this.userId) {
        this.marks.note(message.conversationId, message.seq);
        this.scheduleDelivered();
      }
    }
  }

  // ---- sending -----------------------------------------------------------------------------------------

  private track(
    entry: OutboxEntry,
    resolve?: (message: MessageDto) => void,
    reject?: (error: ChatClientError) => void,
  ): void {
    const send: PendingSend = {
      entry,
      attempts: 0,
      inFlight: false,
      retryAt: 0,
      deadline: setTimeout(() => {
        this.settle(send, deadlineError(this.sendTimeoutMs, send.lastCode));
      }, this.sendTimeoutMs),
    };
    if (resolve) send.resolve = resolve;
    if (reject) send.reject = reject;
    this.sends.set(entry.clientMessageId, send);
  }

  /** Starts the sends that may go now: each conversation's oldest, up to `maxInFlight`, not before their retry time. */
  private pump(): void {
    const socket = this.socket;
    if (!this.live || !socket || this.closed) return;
    const now = Date.now();
    if (now < this.pausedUntil) {
      this.pumpAt(this.pausedUntil);
      return;
    }
    let inFlight = [...this.sends.values()].filter((send) => send.inFlight).length;
    for (const entry of this.outbox.heads()) {
      const send = this.sends.get(entry.clientMessageId);
      if (!send || send.inFlight) continue;
      if (send.retryAt > now) {
        this.pumpAt(send.retryAt);
        continue;
      }
      if (inFlight >= this.maxInFlight) break;
      inFlight += 1;
      void this.attempt(send, socket);
    }
  }

  private pumpAt(time: number): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = setTimeout(() => this.pump(), Math.max(0, time - Date.now()));
  }

  private async attempt(send: PendingSend, socket: ChatSocket): Promise<void> {
    const { entry } = send;
    send.inFlight = true;
    send.attempts += 1;
    const at = Date.now();
    const ack = await this.emitWithAck(socket, 'message:send', entry);
    send.inFlight = false;
    const outcome = ack === undefined ? 'no-answer' : ack.ok ? 'acked' : ack.error.code;
    this.emit('attempt', { clientMessageId: entry.clientMessageId, at, outcome });
    if (ack?.ok) this.accept(ack.message);
    if (this.sends.get(entry.clientMessageId) !== send) return; // given up on meanwhile
    if (ack?.ok) this.settle(send, ack.message);
    else if (ack && !ack.error.retriable) this.settle(send, new ChatClientError(ack.error));
    else {
      if (ack) send.lastCode = ack.error.code;
      const retryAfterMs = ack?.error.retryAfterMs;
      send.retryAt = Date.now() + retryDelay(send.attempts - 1, this.backoff, retryAfterMs);
      // The per-user send limit holds for every conversation: pause them all rather than collect refusals.
      if (ack?.error.code === 'RATE_LIMITED') this.pausedUntil = Date.now() + (retryAfterMs ?? 0);
    }
    this.pump();
  }

  /** Ends a send: stored, or given up on; either way it leaves the outbox. */
  private settle(send: PendingSend, result: MessageDto | ChatClientError): void {
    clearTimeout(send.deadline);
    this.sends.delete(send.entry.clientMessageId);
    this.outbox.remove(send.entry.clientMessageId);
    if (!(result instanceof ChatClientError)) send.resolve?.(result);
    else if (send.reject) send.reject(result);
    else this.emit('sendFailed', send.entry, result);
    this.pump();
  }

  // ---- delivered receipts ------------------------------------------------------------------------------

  private scheduleDelivered(delayMs = this.deliveredDebounceMs): void {
    if (delayMs === undefined || this.deliveredTimer !== undefined || !this.marks.pending) return;
    this.deliveredTimer = setTimeout(() => {
      this.deliveredTimer = undefined;
      const socket = this.socket;
      if (!this.live || !socket) return; // owed still; sent once live again
      for (const mark of this.marks.take()) {
        void this.emitWithAck(socket, 'message:delivered', mark).then((ack) => {
          if (ack?.ok || (ack && !ack.error.retriable)) return;
          this.marks.note(mark.conversationId, mark.seq);
          this.scheduleDelivered(Math.max(ack?.error.retryAfterMs ?? 0, this.deliveredDebounceMs ?? 0));
        });
      }
    }, delayMs);
  }

  // ---- plumbing ----------------------------------------------------------------------------------------

  /** The ack, or undefined when none came: the connection dropped first, or the ack took too long. */
  private emitWithAck<E extends ClientEvent>(
    socket: ChatSocket,
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = this.ackTimeoutMs,
  ): Promise<Ack<AckResult<E>> | undefined> {
    if (!socket.connected) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (ack: Ack<AckResult<E>> | undefined) => {
        clearTimeout(timer);
        socket.off('disconnect', dropped);
        resolve(ack);
      };
      const dropped = () => finish(undefined);
      const timer = setTimeout(dropped, Math.max(0, timeoutMs));
      socket.once('disconnect', dropped);
      (socket.emit as (event: string, payload: unknown, ack: (answer: unknown) => void) => void)(
        event,
        payload,
        (answer) => finish(answer as Ack<AckResult<E>>),
      );
    });
  }

  /** The socket once live; undefined if `deadline` comes first or the client is closed. */
  private whenLive(deadline: number): Promise<ChatSocket | undefined> {
    if (this.live && this.socket) return Promise.resolve(this.socket);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.liveWaiters.delete(wake);
        resolve(this.live && !this.closed ? this.socket : undefined);
      };
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      this.liveWaiters.add(wake);
    });
  }

  private async currentToken(): Promise<string> {
    if (this.token !== undefined) return this.token;
    return (await this.refreshToken()) ?? (this.options.token as string);
  }

  /** A fresh token from the token function (one call for every caller at once); undefined without one. */
  private refreshToken(): Promise<string | undefined> {
    const source = this.options.token;
    if (typeof source !== 'function') return Promise.resolve(undefined);
    this.refreshing ??= Promise.resolve()
      .then(source)
      .then((token) => {
        this.token = token;
        return token;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private resolveUrl(): string {
    return typeof this.options.url === 'function' ? this.options.url() : this.options.url;
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.currentStatus === status || this.currentStatus === 'closed') return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  /** A refusal no retry cures: the client stops, and says why. */
  private fail(error: ChatClientError): void {
    this.emit('error', error);
    this.shutDown(error);
  }

  /**
   * Stops for good: what is running rejects with `error`, but unsent messages stay in the outbox, so a client
   * resumed from `state()` (with a token that works, say) sends them.
   */
  private shutDown(error: ChatClientError): void {
    this.closed = true;
    this.live = false;
    clearTimeout(this.pumpTimer);
    clearTimeout(this.deliveredTimer);
    this.wakeUp?.();
    for (const wake of this.liveWaiters) wake();
    for (const send of this.sends.values()) {
      clearTimeout(send.deadline);
      send.reject?.(error);
    }
    this.sends.clear();
    this.connected.reject(error);
    this.socket?.disconnect();
    this.setStatus('closed');
  }

  /** Waits, or less if the client is closed meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // A rejection nobody awaits (connect() never called) is not an unhandled one.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function deadlineError(timeoutMs: number, lastCode: ErrorCode | undefined): ChatClientError {
  return new ChatClientError({
    code: lastCode ?? 'UNAVAILABLE',
    message: `Not done within ${timeoutMs} ms${lastCode ? ` (last answer: ${lastCode})` : ''}.`,
    retriable: true,
  });
}

function asClientError(error: unknown): ChatClientError {
  if (error instanceof ChatClientError) return error;
  return Object.assign(unavailable(error instanceof Error ? error.message : String(error)), { cause: error });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function randomId(): string {
  return globalThis.crypto.randomUUID();
}

/** The token's `sub`, decoded for display and for telling own messages apart; never trusted for anything else. */
function subjectOf(token: string): string | undefined {
  try {
    const base64 = (token.split('.')[1] ?? '').replaceAll('-', '+').replaceAll('_', '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}
