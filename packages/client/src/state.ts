import type { OutboxEntry } from './outbox.js';

/**
 * What `ChatClient.state()` returns and `new ChatClient({ state })` resumes from: plain JSON, to keep in
 * localStorage, a file or a database.
 */
export interface ClientState {
  version: 1;
  /**
   * The last seq emitted per conversation id: the next session asks each for `after=<seq>`, so it emits exactly
   * what was stored meanwhile.
   */
  conversations: Record<string, number>;
  /**
   * Until when (ISO 8601, this client's clock) the client saw everything: conversations it does not know and the
   * inbox lists as changed since then are new to it, and their messages stored after it are emitted.
   */
  syncedAt: string;
  /** Sends not yet confirmed stored, oldest first: the next session sends them with the same ids. */
  outbox: OutboxEntry[];
}

/** Checks a state read back from storage: a wrong one fails loudly here, not as a puzzling gap later. */
export function parseState(value: unknown): ClientState {
  const state = value as Partial<ClientState> | null;
  const problems: string[] = [];
  if (typeof state !== 'object' || state === null) throw new TypeError('state must be an object');
  if (state.version !== 1) problems.push('version must be 1');
  if (typeof state.syncedAt !== 'string' || Number.isNaN(Date.parse(state.syncedAt)))
    problems.push('syncedAt must be an ISO 8601 time');
  const conversations = state.conversations;
  if (typeof conversations !== 'object' || conversations === null)
    problems.push('conversations must be an object');
  else
    for (const [id, seq] of Object.entries(conversations))
      if (!Number.isSafeInteger(seq) || seq < 0) problems.push(`conversations.${id} must be a seq`);
  if (!Array.isArray(state.outbox)) problems.push('outbox must be an array');
  else
    state.outbox.forEach((entry, index) => {
      const target = [entry?.otherUserId, entry?.conversationId].filter((id) => typeof id === 'string');
      if (typeof entry?.clientMessageId !== 'string' || typeof entry.text !== 'string' || target.length !== 1)
        problems.push(
          `outbox[${index}] must have clientMessageId, text and one of otherUserId, conversationId`,
        );
      if (entry?.replyToId !== undefined && typeof entry.replyToId !== 'string')
        problems.push(`outbox[${index}].replyToId must be a message id`);
    });
  if (problems.length > 0) throw new TypeError(`not a ChatClient state: ${problems.join('; ')}`);
  return state as ClientState;
}
