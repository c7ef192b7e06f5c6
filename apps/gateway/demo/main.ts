// The demo chat page: a small reference client of the gateway on the client library, @chat/client (which
// reconnects, catches up and resends), typed by @chat/contracts (types only, so the bundle holds the library,
// socket.io-client and this file). Served by the gateway at / when DEMO_PAGE is on.
import { ChatClient, ChatClientError } from '@chat/client';
import type { InboxEntryDto, MessageDto, PresenceDto } from '@chat/contracts';

/** A message as the page shows it: stored (with seq), or still pending (retrying after a code), or failed. */
interface Shown {
  clientMessageId: string;
  text: string;
  mine: boolean;
  stored?: MessageDto;
  retrying?: string;
  failed?: string;
}

/** How long a send keeps retrying before the page shows it failed, with a Retry button. */
const SEND_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 20;
const root = document.getElementById('app') as HTMLElement;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {},
  ...children: Array<Node | string | false | undefined>
): HTMLElementTagNameMap[K] {
  const { dataset, ...rest } = props;
  const element = Object.assign(document.createElement(tag), rest);
  for (const [key, value] of Object.entries(dataset ?? {})) element.dataset[key] = value;
  for (const child of children) if (child !== false && child !== undefined) element.append(child);
  return element;
}

function ago(iso: string | null): string {
  if (iso === null) return 'never seen';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `last seen ${seconds}s ago`;
  if (seconds < 3600) return `last seen ${Math.round(seconds / 60)} min ago`;
  return `last seen ${new Date(iso).toLocaleString()}`;
}

// ---- sign-in -------------------------------------------------------------------------------------------

async function showLogin(problem?: string): Promise<void> {
  const { users } = (await fetch('/demo/config.json').then((response) => response.json())) as {
    users: Array<{ userId: string; token: string }>;
  };
  const pasted = h('input', { className: 'grow', placeholder: 'paste an access token (JWT)', name: 'token' });
  root.replaceChildren(
    h(
      'section',
      { className: 'login' },
      h('h1', {}, 'chat-backend demo'),
      problem && h('div', { className: 'error' }, problem),
      users.length > 0 && h('div', { className: 'hint' }, 'Sign in as a demo user:'),
      users.length > 0 &&
        h(
          'div',
          { className: 'users' },
          ...users.map((user) =>
            h('button', { className: 'primary', onclick: () => signIn(user.token) }, user.userId),
          ),
        ),
      h('div', { className: 'hint' }, 'or with any token the gateway accepts:'),
      h(
        'form',
        {
          className: 'row',
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (pasted.value.trim()) signIn(pasted.value.trim());
          },
        },
        pasted,
        h('button', { type: 'submit' }, 'Sign in'),
      ),
    ),
  );
}

function signIn(token: string): void {
  sessionStorage.setItem('chat-demo-token', token);
  new ChatPage(token).start();
}

// ---- the chat ------------------------------------------------------------------------------------------

class ChatPage {
  private readonly client: ChatClient;
  /** The demo shows 1-1 conversations only (groups have no otherUserId). */
  private inbox: Array<InboxEntryDto & { otherUserId: string }> = [];
  private readonly presence = new Map<string, PresenceDto>();
  private open?: {
    otherUserId: string;
    conversationId: string;
    messages: Shown[];
    nextCursor: number | null;
    otherReadAt: string | null;
  };
  private readonly list = h('ul', { className: 'inbox' });
  private readonly chat = h(
    'section',
    { className: 'chat' },
    h('div', { className: 'empty' }, 'Pick a conversation'),
  );
  private readonly status = h('span', { className: 'hint' }, 'connecting…');

  /** The token's `sub`, for display only: the server verifies the token and decides who we are. */
  private readonly userId: string;

  constructor(token: string) {
    this.client = new ChatClient({ url: window.location.origin, token, sendTimeoutMs: SEND_TIMEOUT_MS });
    this.userId = this.client.userId ?? '?';
  }

  start(): void {
    const startInput = h('input', { className: 'grow', placeholder: 'user id', name: 'otherUserId' });
    root.replaceChildren(
      h(
        'div',
        { className: 'shell' },
        h(
          'aside',
          { className: 'sidebar' },
          h(
            'div',
            { className: 'me' },
            h('div', {}, h('strong', {}, this.userId), h('br'), this.status),
            h('button', { onclick: () => this.signOut() }, 'Sign out'),
          ),
          h(
            'form',
            {
              className: 'start',
              onsubmit: (event: Event) => {
                event.preventDefault();
                const other = startInput.value.trim();
                if (other) void this.openConversation(other);
                startInput.value = '';
              },
            },
            startInput,
            h('button', { type: 'submit' }, 'Chat'),
          ),
          this.list,
        ),
        this.chat,
      ),
    );
    this.client.on('status', (status) => {
      this.status.textContent = status === 'offline' ? 'disconnected, reconnecting…' : status;
      if (status === 'online') void this.refreshInbox();
    });
    this.client.on('error', (error) => {
      if (error.code === 'UNAUTHORIZED' || error.code === 'TOKEN_EXPIRED') {
        sessionStorage.removeItem('chat-demo-token');
        void showLogin(`The gateway refused the token: ${error.message}`);
      }
    });
    this.client.on('message', (message) => this.onMessage(message));
    this.client.on('attempt', ({ clientMessageId, outcome }) => {
      const shown = this.open?.messages.find((m) => m.clientMessageId === clientMessageId);
      if (!shown || outcome === 'acked') return;
      shown.retrying = outcome;
      this.renderMessages();
    });
    this.client.on('read', (receipt) => {
      if (this.open && receipt.userId === this.open.otherUserId) {
        this.open.otherReadAt = receipt.lastReadAt;
        this.renderMessages();
      }
      void this.refreshInbox();
    });
    // "last seen 2 min ago" ages while the page is open.
    setInterval(() => this.renderHeader(), 15_000);
    this.client.on('presence', (update) => {
      this.presence.set(update.userId, update);
      this.renderInbox();
      this.renderHeader();
    });
    this.client.connect().catch(() => {}); // a refusal is shown by the 'error' listener
  }

  private signOut(): void {
    void this.client.close();
    sessionStorage.removeItem('chat-demo-token');
    void showLogin();
  }

  private async watch(userIds: string[]): Promise<void> {
    const fresh = userIds.filter((userId) => !this.presence.has(userId));
    if (fresh.length === 0) return;
    for (const entry of await this.client.subscribePresence(fresh)) this.presence.set(entry.userId, entry);
    this.renderInbox();
    this.renderHeader();
  }

  private async refreshInbox(): Promise<void> {
    const page = await this.client.api.inbox({ limit: 50 });
    this.inbox = page.conversations.filter(
      (entry): entry is InboxEntryDto & { otherUserId: string } => entry.otherUserId !== null,
    );
    this.renderInbox();
    await this.watch(this.inbox.map((entry) => entry.otherUserId));
  }

  private renderInbox(): void {
    this.list.replaceChildren(
      ...this.inbox.map((entry) => {
        const last = entry.lastMessage;
        return h(
          'li',
          {
            className: entry.otherUserId === this.open?.otherUserId ? 'active' : '',
            dataset: { user: entry.otherUserId },
            onclick: () => void this.openConversation(entry.otherUserId),
          },
          h('span', { className: 'name' }, this.dot(entry.otherUserId), entry.otherUserId),
          entry.unreadCount > 0 ? h('span', { className: 'badge' }, String(entry.unreadCount)) : h('span'),
          h(
            'span',
            { className: 'preview' },
            last ? `${last.senderId === this.userId ? 'You: ' : ''}${last.text}` : '',
          ),
        );
      }),
    );
  }

  private dot(userId: string): HTMLElement {
    return h('span', { className: this.presence.get(userId)?.online ? 'dot online' : 'dot' });
  }

  private async openConversation(otherUserId: string): Promise<void> {
    if (otherUserId === this.userId) return;
    const conversation = await this.client.api.oneToOne(otherUserId);
    // Before the first message the conversation has an id but no history yet.
    const page = conversation.lastMessage
      ? await this.client.api.history(conversation.id, { limit: PAGE_SIZE })
      : { messages: [], nextCursor: null };
    const other = conversation.participants.find((participant) => participant.userId === otherUserId);
    this.open = {
      otherUserId,
      conversationId: conversation.id,
      // Messages this user deleted for themselves come as stubs: the demo leaves them out.
      messages: page.messages
        .reverse()
        .flatMap((message) => ('hiddenForMe' in message ? [] : [this.shown(message)])),
      nextCursor: page.nextCursor,
      otherReadAt: other?.lastReadAt ?? null,
    };
    this.renderChat();
    this.renderInbox();
    await this.watch([otherUserId]);
    if (conversation.lastMessage) await this.markRead();
  }

  private shown(message: MessageDto): Shown {
    return {
      clientMessageId: message.clientMessageId,
      text: message.text,
      mine: message.senderId === this.userId,
      stored: message,
    };
  }

  private async markRead(): Promise<void> {
    if (!this.open) return;
    await this.client.markRead({ otherUserId: this.open.otherUserId });
    await this.refreshInbox();
  }

  private async loadOlder(): Promise<void> {
    const open = this.open;
    if (!open || open.nextCursor === null) return;
    const page = await this.client.api.history(open.conversationId, {
      from: open.nextCursor,
      limit: PAGE_SIZE,
    });
    open.messages.unshift(
      ...page.messages
        .reverse()
        .flatMap((message) => ('hiddenForMe' in message ? [] : [this.shown(message)])),
    );
    open.nextCursor = page.nextCursor;
    this.renderMessages();
  }

  /** Each stored message once, in order, own sends and other devices' included: the library sees to that. */
  private onMessage(message: MessageDto): void {
    const open = this.open;
    if (open && message.conversationId === open.conversationId) {
      const mine = message.senderId === this.userId;
      const known = open.messages.find(
        (shown) =>
          shown.stored?.id === message.id || (mine && shown.clientMessageId === message.clientMessageId),
      );
      if (known) Object.assign(known, { stored: message, failed: undefined, retrying: undefined });
      else open.messages.push(this.shown(message));
      this.renderMessages();
      if (!mine) void this.markRead();
    }
    void this.refreshInbox();
  }

  /** The library retries with the same clientMessageId until SEND_TIMEOUT_MS; Retry starts that over. */
  private async send(shown: Shown): Promise<void> {
    const open = this.open;
    if (!open) return;
    shown.failed = undefined;
    this.renderMessages();
    try {
      shown.stored = await this.client.send({
        clientMessageId: shown.clientMessageId,
        otherUserId: open.otherUserId,
        text: shown.text,
      });
      shown.retrying = undefined;
      void this.refreshInbox();
    } catch (error) {
      shown.failed = error instanceof ChatClientError ? error.code : 'INTERNAL';
    }
    this.renderMessages();
  }

  private renderChat(): void {
    const open = this.open;
    if (!open) return;
    const input = h('input', {
      className: 'grow',
      placeholder: `Message ${open.otherUserId}`,
      name: 'text',
      autocomplete: 'off',
    });
    this.chat.replaceChildren(
      h('header', {}),
      h('div', { className: 'messages' }),
      h(
        'form',
        {
          className: 'composer',
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (!input.value.trim()) return;
            const shown: Shown = { clientMessageId: crypto.randomUUID(), text: input.value, mine: true };
            open.messages.push(shown);
            input.value = '';
            void this.send(shown);
          },
        },
        input,
        h('button', { className: 'primary', type: 'submit' }, 'Send'),
      ),
    );
    this.renderHeader();
    this.renderMessages();
    input.focus();
  }

  private renderHeader(): void {
    const header = this.chat.querySelector('header');
    if (!header || !this.open) return;
    const presence = this.presence.get(this.open.otherUserId);
    header.replaceChildren(
      this.dot(this.open.otherUserId),
      h('span', { className: 'who' }, this.open.otherUserId),
      h(
        'span',
        { className: 'presence' },
        presence === undefined ? '' : presence.online ? 'online' : ago(presence.lastSeenAt),
      ),
    );
  }

  private renderMessages(): void {
    const box = this.chat.querySelector('.messages');
    const open = this.open;
    if (!box || !open) return;
    const lastReadByOther = open.otherReadAt === null ? 0 : Date.parse(open.otherReadAt);
    const older = h('button', { className: 'older', onclick: () => void this.loadOlder() }, 'Load older');
    box.replaceChildren(
      ...(open.nextCursor === null ? [] : [older]),
      ...open.messages.map((shown) => {
        const stored = shown.stored;
        const read = shown.mine && stored !== undefined && Date.parse(stored.createdAt) <= lastReadByOther;
        const meta = shown.failed
          ? [
              h('span', { className: 'code' }, `failed: ${shown.failed}`),
              h('button', { onclick: () => void this.send(shown) }, 'Retry'),
            ]
          : stored
            ? [
                h('span', {}, `seq ${stored.seq}`),
                h('span', {}, new Date(stored.createdAt).toLocaleTimeString()),
                read && h('span', { className: 'receipt' }, '✓ read'),
              ]
            : [h('span', {}, shown.retrying ? `retrying after ${shown.retrying}…` : 'pending…')];
        return h(
          'div',
          {
            className: `message${shown.mine ? ' mine' : ''}${shown.failed ? ' failed' : ''}`,
            dataset: stored ? { seq: String(stored.seq) } : { pending: 'true' },
          },
          h('div', { className: 'text' }, shown.text),
          h('div', { className: 'meta' }, ...meta),
        );
      }),
    );
    box.scrollTop = box.scrollHeight;
  }
}

const saved = sessionStorage.getItem('chat-demo-token');
if (saved) signIn(saved);
else void showLogin();
