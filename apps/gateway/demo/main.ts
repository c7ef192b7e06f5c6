// The demo chat page: a small reference client of the gateway on the client library, @chat/client (which
// reconnects, catches up and resends), typed by @chat/contracts (types only, so the bundle holds the library,
// socket.io-client and this file). Served by the gateway at / when DEMO_PAGE is on.
import { ChatClient, ChatClientError } from '@chat/client';
import type {
  ConversationDto,
  InboxEntryDto,
  MessageDto,
  MessageView,
  ParticipantDto,
  PresenceDto,
} from '@chat/contracts';

/** A message as the page shows it: stored (with seq), or still pending (retrying after a code), or failed. */
interface Shown {
  clientMessageId: string;
  text: string;
  mine: boolean;
  stored?: MessageDto;
  retrying?: string;
  failed?: string;
  /** The message it replies to, while it is not stored yet (then `stored.replyTo` quotes it). */
  replyTo?: MessageDto;
}

/** The conversation on screen. */
interface Open {
  conversation: ConversationDto;
  /** The other user of a 1-1 conversation; undefined in a group. */
  otherUserId?: string;
  messages: Shown[];
  nextCursor: number | null;
  /** The highest changeSeq seen: after a reconnect, `/changes` tells what changed since. */
  changeSeq: number;
  /** Who is typing now (the server ends an indicator 5 s after its last start). */
  typing: Set<string>;
  /** "Seen by N" of the user's own messages in a group, by message id, from the server's receipts. */
  seenBy: Map<string, number>;
  /** What the composer does instead of sending a new message. */
  composing?: { kind: 'reply' | 'edit'; message: MessageDto };
}

/** How long a send keeps retrying before the page shows it failed, with a Retry button. */
const SEND_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 20;
/** The reactions offered on every message; any other emoji shown comes from another client. */
const QUICK_REACTIONS = ['👍', '❤️'];
/** A typing indicator lasts 5 s after its last start: refresh it while the user keeps typing. */
const TYPING_REFRESH_MS = 3000;
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
  private inbox: InboxEntryDto[] = [];
  private readonly presence = new Map<string, PresenceDto>();
  private open?: Open;
  private readonly list = h('ul', { className: 'inbox' });
  private readonly chat = h(
    'section',
    { className: 'chat' },
    h('div', { className: 'empty' }, 'Pick a conversation'),
  );
  private readonly status = h('span', { className: 'hint' }, 'connecting…');
  /** When this page last told the server the user is typing. */
  private typingSentAt = 0;

  /** The token's `sub`, for display only: the server verifies the token and decides who we are. */
  private readonly userId: string;

  constructor(token: string) {
    // autoDelivered: the page reports what reached it, which the sender's page shows as ✓✓.
    this.client = new ChatClient({
      url: window.location.origin,
      token,
      sendTimeoutMs: SEND_TIMEOUT_MS,
      autoDelivered: true,
    });
    this.userId = this.client.userId ?? '?';
  }

  start(): void {
    const startInput = h('input', { className: 'grow', placeholder: 'user id', name: 'otherUserId' });
    const groupName = h('input', { className: 'grow', placeholder: 'group name', name: 'groupName' });
    const groupMembers = h('input', {
      className: 'grow',
      placeholder: 'members: bob, carol',
      name: 'groupMembers',
    });
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
                if (other) void this.openOneToOne(other);
                startInput.value = '';
              },
            },
            startInput,
            h('button', { type: 'submit' }, 'Chat'),
          ),
          h(
            'form',
            {
              className: 'start group',
              onsubmit: (event: Event) => {
                event.preventDefault();
                void this.createGroup(groupName.value.trim(), ids(groupMembers.value));
                groupName.value = '';
                groupMembers.value = '';
              },
            },
            groupName,
            groupMembers,
            h('button', { type: 'submit' }, 'New group'),
          ),
          this.list,
        ),
        this.chat,
      ),
    );
    this.client.on('status', (status) => {
      this.status.textContent = status === 'offline' ? 'disconnected, reconnecting…' : status;
      if (status === 'online') {
        void this.refreshInbox();
        void this.catchUpChanges();
      }
    });
    this.client.on('error', (error) => {
      if (error.code === 'UNAUTHORIZED' || error.code === 'TOKEN_EXPIRED') {
        sessionStorage.removeItem('chat-demo-token');
        void showLogin(`The gateway refused the token: ${error.message}`);
      }
    });
    this.client.on('message', (message) => this.onMessage(message));
    this.client.on('updated', ({ message }) => {
      this.apply(message);
      void this.refreshInbox();
    });
    this.client.on('hidden', ({ conversationId, messageId }) => this.hide(conversationId, messageId));
    this.client.on('attempt', ({ clientMessageId, outcome }) => {
      const shown = this.open?.messages.find((m) => m.clientMessageId === clientMessageId);
      if (!shown || outcome === 'acked') return;
      shown.retrying = outcome;
      this.renderMessages();
    });
    this.client.on('read', (receipt) => {
      if (receipt.conversationId === this.open?.conversation.id) {
        this.updateParticipant(receipt.userId, { lastReadAt: receipt.lastReadAt });
        if (this.open.conversation.kind === 'group') void this.refreshSeenBy();
        this.renderMessages();
      }
      void this.refreshInbox();
    });
    this.client.on('delivered', (receipt) => {
      if (receipt.conversationId !== this.open?.conversation.id) return;
      this.updateParticipant(receipt.userId, { lastDeliveredSeq: receipt.seq });
      this.renderMessages();
    });
    this.client.on('typing', ({ conversationId, userId, isTyping }) => {
      const open = this.open;
      if (conversationId !== open?.conversation.id) return;
      if (isTyping) open.typing.add(userId);
      else open.typing.delete(userId);
      this.renderTyping();
    });
    this.client.on('conversation', (update) => {
      const open = this.open;
      if (open && update.conversationId === open.conversation.id) {
        open.conversation.participants = update.participants;
        this.renderHeader();
        this.renderChatState();
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
    this.inbox = (await this.client.api.inbox({ limit: 50 })).conversations;
    this.renderInbox();
    await this.watch(this.inbox.flatMap((entry) => (entry.otherUserId === null ? [] : [entry.otherUserId])));
  }

  private renderInbox(): void {
    this.list.replaceChildren(
      ...this.inbox.map((entry) => {
        const last = entry.lastMessage;
        const who = entry.otherUserId;
        // "You: …" on own messages; in a group, every message's sender.
        const sender = last?.senderId === this.userId ? 'You: ' : who === null ? `${last?.senderId}: ` : '';
        return h(
          'li',
          {
            className: entry.id === this.open?.conversation.id ? 'active' : '',
            dataset: who === null ? { conversation: entry.id } : { conversation: entry.id, user: who },
            onclick: () => void this.openConversation(entry.id),
          },
          who === null
            ? h('span', { className: 'name' }, h('span', { className: 'group-mark' }, '#'), entry.name ?? '')
            : h('span', { className: 'name' }, this.dot(who), who),
          entry.unreadCount > 0 ? h('span', { className: 'badge' }, String(entry.unreadCount)) : h('span'),
          h(
            'span',
            { className: 'preview' },
            !last ? '' : `${sender}${last.deletedAt ? 'message deleted' : last.text}`,
          ),
        );
      }),
    );
  }

  private dot(userId: string): HTMLElement {
    return h('span', { className: this.presence.get(userId)?.online ? 'dot online' : 'dot' });
  }

  private async createGroup(name: string, memberIds: string[]): Promise<void> {
    if (!name || memberIds.length === 0) return;
    const group = await this.client.createGroup({ name, memberIds });
    await this.refreshInbox();
    await this.show(group);
  }

  private async openOneToOne(otherUserId: string): Promise<void> {
    if (otherUserId !== this.userId) await this.show(await this.client.api.oneToOne(otherUserId));
  }

  private async openConversation(conversationId: string): Promise<void> {
    await this.show(await this.client.api.conversation(conversationId));
  }

  private async show(conversation: ConversationDto): Promise<void> {
    // Before the first message a 1-1 conversation has an id but no history yet.
    const page = conversation.lastMessage
      ? await this.client.api.history(conversation.id, { limit: PAGE_SIZE })
      : { messages: [], nextCursor: null };
    const otherUserId =
      conversation.kind === 'one_to_one'
        ? conversation.participants.find((participant) => participant.userId !== this.userId)?.userId
        : undefined;
    this.open = {
      conversation,
      otherUserId,
      messages: this.visible(page.messages.reverse()),
      nextCursor: page.nextCursor,
      changeSeq: Math.max(0, ...page.messages.map((message) => message.changeSeq)),
      typing: new Set(),
      seenBy: new Map(),
    };
    this.renderChat();
    this.renderInbox();
    if (otherUserId) await this.watch([otherUserId]);
    // A member removed from a group still reads its history up to the removal, and may do nothing else.
    if (!conversation.participants.some((participant) => participant.userId === this.userId)) return;
    if (conversation.lastMessage) await this.markRead();
    if (conversation.kind === 'group') await this.refreshSeenBy();
  }

  /** Messages this user deleted for themselves come as stubs: the page leaves them out. */
  private visible(messages: MessageView[]): Shown[] {
    return messages.flatMap((message) => ('hiddenForMe' in message ? [] : [this.shown(message)]));
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
    await this.client.markRead({ conversationId: this.open.conversation.id });
    await this.refreshInbox();
  }

  private async loadOlder(): Promise<void> {
    const open = this.open;
    if (!open || open.nextCursor === null) return;
    const page = await this.client.api.history(open.conversation.id, {
      from: open.nextCursor,
      limit: PAGE_SIZE,
    });
    open.messages.unshift(...this.visible(page.messages.reverse()));
    open.nextCursor = page.nextCursor;
    this.renderMessages();
    if (open.conversation.kind === 'group') await this.refreshSeenBy();
  }

  /** Each stored message once, in order, own sends and other devices' included: the library sees to that. */
  private onMessage(message: MessageDto): void {
    const open = this.open;
    if (open && message.conversationId === open.conversation.id) {
      const mine = message.senderId === this.userId;
      const known = open.messages.find(
        (shown) =>
          shown.stored?.id === message.id || (mine && shown.clientMessageId === message.clientMessageId),
      );
      if (known) Object.assign(known, { stored: message, failed: undefined, retrying: undefined });
      else open.messages.push(this.shown(message));
      open.changeSeq = Math.max(open.changeSeq, message.changeSeq);
      // A message ends its sender's typing indicator on screen; the server's stop follows.
      open.typing.delete(message.senderId);
      this.renderMessages();
      this.renderTyping();
      if (!mine) void this.markRead();
    }
    void this.refreshInbox();
  }

  /**
   * A message's latest snapshot, from `message:updated`, an ack or the change log: kept if newer than the one
   * shown (updates may come twice, and after a page of changes that had them); a stub hides the message.
   */
  private apply(message: MessageView): void {
    const open = this.open;
    if (!open || message.conversationId !== open.conversation.id) return;
    open.changeSeq = Math.max(open.changeSeq, message.changeSeq);
    if ('hiddenForMe' in message) {
      this.hide(message.conversationId, message.id);
      return;
    }
    const shown = open.messages.find((candidate) => candidate.stored?.id === message.id);
    // One not loaded is shown as it is then, by history.
    if (!shown?.stored || message.changeSeq < shown.stored.changeSeq) return;
    Object.assign(shown, { stored: message, text: message.text });
    this.renderMessages();
  }

  /** Deleted for this user only, from this device or another. */
  private hide(conversationId: string, messageId: string): void {
    const open = this.open;
    if (open?.conversation.id === conversationId) {
      open.messages = open.messages.filter((shown) => shown.stored?.id !== messageId);
      this.renderMessages();
    }
    void this.refreshInbox();
  }

  /** What changed in the open conversation while the page was offline (the library catches up new messages). */
  private async catchUpChanges(): Promise<void> {
    const open = this.open;
    if (!open) return;
    for (let after: number | null = open.changeSeq; after !== null; ) {
      const page = await this.client.api.changes(open.conversation.id, { after, limit: 100 });
      for (const message of page.messages) this.apply(message);
      after = page.nextCursor;
    }
  }

  /**
   * "Seen by N" on the user's own messages, from the server's receipts. The read markers the page holds cannot
   * tell who was a member when a message was sent (a member added later starts with everything read), the
   * receipts route can.
   */
  private async refreshSeenBy(): Promise<void> {
    const open = this.open;
    if (!open) return;
    const own = open.messages.flatMap((shown) =>
      shown.mine && shown.stored && !shown.stored.deletedAt ? [shown.stored] : [],
    );
    const counts = await Promise.all(
      own.map(async (message) => {
        const receipts = await this.client.api.receipts(message.conversationId, message.id);
        return [message.id, receipts.readBy.length] as const;
      }),
    );
    for (const [messageId, count] of counts) open.seenBy.set(messageId, count);
    this.renderMessages();
  }

  private updateParticipant(userId: string, change: Partial<ParticipantDto>): void {
    const participant = this.open?.conversation.participants.find((p) => p.userId === userId);
    if (participant) Object.assign(participant, change);
  }

  /** The library retries with the same clientMessageId until SEND_TIMEOUT_MS; Retry starts that over. */
  private async send(shown: Shown): Promise<void> {
    const open = this.open;
    if (!open) return;
    shown.failed = undefined;
    this.renderMessages();
    try {
      const target =
        open.otherUserId === undefined
          ? { conversationId: open.conversation.id }
          : { otherUserId: open.otherUserId };
      shown.stored = await this.client.send({
        clientMessageId: shown.clientMessageId,
        text: shown.text,
        ...target,
        ...(shown.replyTo ? { replyToId: shown.replyTo.id } : {}),
      });
      shown.retrying = undefined;
      void this.refreshInbox();
    } catch (error) {
      shown.failed = codeOf(error);
    }
    this.renderMessages();
  }

  /** Runs an edit, deletion, reaction or member change; a refusal shows its code above the composer. */
  private async change(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.notice('');
    } catch (error) {
      this.notice(`refused: ${codeOf(error)}`);
    }
  }

  private toggleReaction(message: MessageDto, emoji: string): void {
    const mine = message.reactions.filter((r) => r.userIds.includes(this.userId)).map((r) => r.emoji);
    const next = mine.includes(emoji) ? mine.filter((e) => e !== emoji) : [...mine, emoji];
    void this.change(async () => this.apply(await this.client.react(message.id, next)));
  }

  private compose(composing: Open['composing']): void {
    const open = this.open;
    if (!open) return;
    open.composing = composing;
    const input = this.chat.querySelector<HTMLInputElement>('input[name=text]');
    if (input) {
      input.value = composing?.kind === 'edit' ? composing.message.text : '';
      input.focus();
    }
    this.renderChatState();
  }

  private onInput(text: string): void {
    const open = this.open;
    if (!open || open.composing?.kind === 'edit') return;
    const now = Date.now();
    if (text.trim() === '') {
      this.typingSentAt = 0;
      this.client.stopTyping(open.conversation.id);
    } else if (now - this.typingSentAt >= TYPING_REFRESH_MS) {
      this.typingSentAt = now;
      this.client.startTyping(open.conversation.id);
    }
  }

  private submit(input: HTMLInputElement): void {
    const open = this.open;
    if (!open || !input.value.trim()) return;
    const text = input.value;
    const composing = open.composing;
    input.value = '';
    this.typingSentAt = 0;
    this.client.stopTyping(open.conversation.id);
    this.compose(undefined);
    if (composing?.kind === 'edit') {
      void this.change(async () => this.apply(await this.client.edit(composing.message.id, text)));
      return;
    }
    const shown: Shown = { clientMessageId: crypto.randomUUID(), text, mine: true };
    if (composing?.kind === 'reply') shown.replyTo = composing.message;
    open.messages.push(shown);
    void this.send(shown);
  }

  private renderChat(): void {
    const open = this.open;
    if (!open) return;
    const input = h('input', {
      className: 'grow',
      placeholder: `Message ${open.otherUserId ?? open.conversation.name ?? ''}`,
      name: 'text',
      autocomplete: 'off',
      oninput: () => this.onInput(input.value),
    });
    this.chat.replaceChildren(
      h('header', {}),
      h('div', { className: 'members' }),
      h('div', { className: 'messages' }),
      h('div', { className: 'typing' }),
      h('div', { className: 'notice' }),
      h('div', { className: 'composing' }),
      h(
        'form',
        {
          className: 'composer',
          onsubmit: (event: Event) => {
            event.preventDefault();
            this.submit(input);
          },
        },
        input,
        h('button', { className: 'primary', type: 'submit' }, 'Send'),
      ),
    );
    this.renderHeader();
    this.renderChatState();
    this.renderMessages();
    input.focus();
  }

  private renderHeader(): void {
    const header = this.chat.querySelector('header');
    const open = this.open;
    if (!header || !open) return;
    if (open.otherUserId === undefined) {
      const count = open.conversation.participants.length;
      header.replaceChildren(
        h('span', { className: 'group-mark' }, '#'),
        h('span', { className: 'who' }, open.conversation.name ?? ''),
        h('span', { className: 'presence' }, `${count} member${count === 1 ? '' : 's'}`),
      );
      return;
    }
    const presence = this.presence.get(open.otherUserId);
    header.replaceChildren(
      this.dot(open.otherUserId),
      h('span', { className: 'who' }, open.otherUserId),
      h(
        'span',
        { className: 'presence' },
        presence === undefined ? '' : presence.online ? 'online' : ago(presence.lastSeenAt),
      ),
    );
  }

  /** A group's members (admins may add and remove), and the reply or edit under way. */
  private renderChatState(): void {
    const open = this.open;
    const members = this.chat.querySelector('.members');
    const composing = this.chat.querySelector('.composing');
    if (!open || !members || !composing) return;
    const participants = open.conversation.participants;
    const admin = participants.some((p) => p.userId === this.userId && p.role === 'admin');
    const addInput = h('input', { placeholder: 'user id', name: 'addMember' });
    members.replaceChildren(
      ...(open.otherUserId !== undefined
        ? []
        : [
            h(
              'div',
              { className: 'roster' },
              h(
                'ul',
                {},
                ...participants.map((p) =>
                  h(
                    'li',
                    { dataset: { member: p.userId } },
                    p.userId,
                    p.role === 'admin' && h('span', { className: 'hint' }, ' admin'),
                    admin &&
                      p.userId !== this.userId &&
                      h(
                        'button',
                        {
                          ariaLabel: `Remove ${p.userId}`,
                          onclick: () =>
                            void this.change(() => this.client.removeMember(open.conversation.id, p.userId)),
                        },
                        '✕',
                      ),
                  ),
                ),
              ),
              admin &&
                h(
                  'form',
                  {
                    onsubmit: (event: Event) => {
                      event.preventDefault();
                      const memberIds = ids(addInput.value);
                      addInput.value = '';
                      if (memberIds.length > 0)
                        void this.change(() => this.client.addMembers(open.conversation.id, memberIds));
                    },
                  },
                  addInput,
                  h('button', { type: 'submit' }, 'Add'),
                ),
              !participants.some((p) => p.userId === this.userId) &&
                h('span', { className: 'hint' }, 'You are no longer a member of this group.'),
            ),
          ]),
    );
    const target = open.composing;
    composing.replaceChildren(
      ...(target
        ? [
            h(
              'span',
              {},
              target.kind === 'edit'
                ? 'Editing your message'
                : `Replying to ${target.message.senderId}: ${clip(target.message.text)}`,
            ),
            h('button', { onclick: () => this.compose(undefined) }, 'Cancel'),
          ]
        : []),
    );
  }

  private renderTyping(): void {
    const box = this.chat.querySelector('.typing');
    const typing = [...(this.open?.typing ?? [])];
    if (box)
      box.textContent =
        typing.length === 0 ? '' : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`;
  }

  private notice(text: string): void {
    const box = this.chat.querySelector('.notice');
    if (box) box.textContent = text;
  }

  private renderMessages(): void {
    const box = this.chat.querySelector('.messages');
    const open = this.open;
    if (!box || !open) return;
    const older = h('button', { className: 'older', onclick: () => void this.loadOlder() }, 'Load older');
    box.replaceChildren(
      ...(open.nextCursor === null ? [] : [older]),
      ...open.messages.map((shown) => this.renderMessage(open, shown)),
    );
    box.scrollTop = box.scrollHeight;
  }

  private renderMessage(open: Open, shown: Shown): HTMLElement {
    const stored = shown.stored;
    const deleted = stored?.deletedAt !== undefined;
    const quote = stored ? stored.replyTo : shown.replyTo;
    const meta = shown.failed
      ? [
          h('span', { className: 'code' }, `failed: ${shown.failed}`),
          h('button', { onclick: () => void this.send(shown) }, 'Retry'),
        ]
      : stored
        ? [
            !open.otherUserId && !shown.mine && h('span', { className: 'sender' }, stored.senderId),
            h('span', {}, `seq ${stored.seq}`),
            h('span', {}, new Date(stored.createdAt).toLocaleTimeString()),
            stored.editedAt && !deleted && h('span', { className: 'edited' }, 'edited'),
            shown.mine && !deleted && this.receipt(open, stored),
          ]
        : [h('span', {}, shown.retrying ? `retrying after ${shown.retrying}…` : 'pending…')];
    return h(
      'div',
      {
        className: `message${shown.mine ? ' mine' : ''}${shown.failed ? ' failed' : ''}${deleted ? ' deleted' : ''}`,
        dataset: stored ? { seq: String(stored.seq) } : { pending: 'true' },
      },
      quote &&
        h(
          'div',
          { className: 'quote' },
          h('strong', {}, quote.senderId),
          ` ${quote.text === '' ? '(deleted)' : clip(quote.text)}`,
        ),
      deleted
        ? h('div', { className: 'text tombstone' }, 'This message was deleted')
        : h('div', { className: 'text' }, shown.text),
      stored && !deleted && stored.reactions.length > 0 && this.reactions(stored),
      h('div', { className: 'meta' }, ...meta),
      stored && !deleted && this.actions(open, shown, stored),
    );
  }

  /** ✓ stored, ✓✓ delivered, ✓✓ read in a 1-1 conversation; ✓ and "seen by N" in a group. */
  private receipt(open: Open, message: MessageDto): HTMLElement {
    if (open.otherUserId === undefined) {
      const seen = open.seenBy.get(message.id) ?? 0;
      return h('span', { className: 'receipt' }, seen > 0 ? `✓ seen by ${seen}` : '✓');
    }
    const other = open.conversation.participants.find((p) => p.userId === open.otherUserId);
    const read = other?.lastReadAt != null && Date.parse(message.createdAt) <= Date.parse(other.lastReadAt);
    // Reading implies delivered, whether or not a delivered marker came first.
    const delivered = read || (other?.lastDeliveredSeq ?? 0) >= message.seq;
    return h('span', { className: 'receipt' }, read ? '✓✓ read' : delivered ? '✓✓' : '✓');
  }

  private reactions(message: MessageDto): HTMLElement {
    return h(
      'div',
      { className: 'reactions' },
      ...message.reactions.map(({ emoji, userIds }) =>
        h(
          'button',
          {
            className: userIds.includes(this.userId) ? 'reaction own' : 'reaction',
            title: userIds.join(', '),
            dataset: { emoji },
            onclick: () => this.toggleReaction(message, emoji),
          },
          `${emoji} ${userIds.length}`,
        ),
      ),
    );
  }

  /** Reply and react on any message; edit and delete for everyone on one's own (and, in a group, an admin's). */
  private actions(open: Open, shown: Shown, message: MessageDto): HTMLElement {
    const admin = open.conversation.participants.some((p) => p.userId === this.userId && p.role === 'admin');
    return h(
      'div',
      { className: 'actions' },
      h('button', { onclick: () => this.compose({ kind: 'reply', message }) }, 'Reply'),
      ...QUICK_REACTIONS.map((emoji) =>
        h(
          'button',
          { ariaLabel: `React ${emoji}`, onclick: () => this.toggleReaction(message, emoji) },
          emoji,
        ),
      ),
      shown.mine && h('button', { onclick: () => this.compose({ kind: 'edit', message }) }, 'Edit'),
      (shown.mine || admin) &&
        h(
          'button',
          {
            onclick: () => void this.change(() => this.client.deleteMessage(message.id, 'everyone')),
          },
          'Delete for everyone',
        ),
      h(
        'button',
        {
          onclick: () => void this.change(() => this.client.deleteMessage(message.id, 'me')),
        },
        'Delete for me',
      ),
    );
  }
}

/** "bob, carol" → ['bob', 'carol']. */
function ids(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
}

/** A quote's first 60 characters: enough to recognise it. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function codeOf(error: unknown): string {
  return error instanceof ChatClientError ? error.code : 'INTERNAL';
}

const saved = sessionStorage.getItem('chat-demo-token');
if (saved) signIn(saved);
else void showLogin();
