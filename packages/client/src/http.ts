import type {
  ChangesPageResponse,
  ConversationDto,
  ConversationResponse,
  ErrorBody,
  InboxPageResponse,
  MessagePageResponse,
  ReceiptsResponse,
  VersionsResponse,
} from '@chat/contracts';
import { ChatClientError } from './errors.js';

/** The access token now, and a fresh one when the current one was refused (undefined: none can be had). */
export interface TokenSource {
  current(): Promise<string>;
  refresh(): Promise<string | undefined>;
}

type Query = Record<string, string | number | undefined>;

/** The gateway's HTTP routes, with the same token as the socket, refreshed once when it is refused. */
export class ChatHttp {
  constructor(
    private readonly baseUrl: () => string,
    private readonly tokens: TokenSource,
    /** A frozen gateway never answers: a request gives up after this long, `UNAVAILABLE`. */
    private readonly timeoutMs = 15_000,
  ) {}

  /** The caller's conversations, most recent first; `updatedSince` keeps only those changed after it. */
  inbox(query: { cursor?: string; limit?: number; updatedSince?: string } = {}): Promise<InboxPageResponse> {
    return this.request('GET', '/api/v1/chat/convo', query);
  }

  async conversation(conversationId: string): Promise<ConversationDto> {
    const path = `/api/v1/chat/convo/${encodeURIComponent(conversationId)}`;
    return (await this.request<ConversationResponse>('GET', path, {})).conversation;
  }

  /** The caller's 1-1 conversation with `otherUserId` (its id even before the first message). */
  async oneToOne(otherUserId: string): Promise<ConversationDto> {
    return (
      await this.request<ConversationResponse>('POST', '/api/v1/chat/convo/one-to-one', { otherUserId })
    ).conversation;
  }

  /** One page of a conversation: newest first from `from` (or the newest), or oldest first after `after`. */
  history(
    conversationId: string,
    query: { from?: number; after?: number; limit?: number } = {},
  ): Promise<MessagePageResponse> {
    return this.request('GET', `/api/v1/chat/convo/${encodeURIComponent(conversationId)}/message`, query);
  }

  /** The change log: the current snapshot of every message changed after `after` (a changeSeq), in order. */
  changes(
    conversationId: string,
    query: { after?: number; limit?: number } = {},
  ): Promise<ChangesPageResponse> {
    return this.request('GET', `/api/v1/chat/convo/${encodeURIComponent(conversationId)}/changes`, query);
  }

  /** "Seen by": the members (at the time it was sent) who read the message, and those it reached. */
  receipts(conversationId: string, messageId: string): Promise<ReceiptsResponse> {
    return this.request('GET', this.messagePath(conversationId, messageId, 'receipts'), {});
  }

  /** Every version of the message's text, oldest first; none after a deletion for everyone. */
  versions(conversationId: string, messageId: string): Promise<VersionsResponse> {
    return this.request('GET', this.messagePath(conversationId, messageId, 'versions'), {});
  }

  private messagePath(conversationId: string, messageId: string, what: string): string {
    return `/api/v1/chat/convo/${encodeURIComponent(conversationId)}/message/${encodeURIComponent(messageId)}/${what}`;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, query: Query): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const url = `${this.baseUrl().replace(/\/$/, '')}${path}${search.size > 0 ? `?${search}` : ''}`;
    let token = await this.tokens.current();
    for (let refreshed = false; ; refreshed = true) {
      let response: Response;
      let body: T | { error?: ErrorBody };
      try {
        const signal = AbortSignal.timeout(this.timeoutMs);
        response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, signal });
        body = (await response.json().catch((error: unknown) => {
          if (signal.aborted) throw error;
          return {};
        })) as T | { error?: ErrorBody };
      } catch (error) {
        throw Object.assign(
          new ChatClientError({
            code: 'UNAVAILABLE',
            message: 'The gateway did not answer.',
            retriable: true,
          }),
          { cause: error },
        );
      }
      if (response.ok) return body as T;
      const error = (body as { error?: ErrorBody }).error;
      if (response.status === 401 && !refreshed) {
        const fresh = await this.tokens.refresh();
        if (fresh !== undefined) {
          token = fresh;
          continue;
        }
      }
      throw new ChatClientError(
        error ?? {
          code: response.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL',
          message: `HTTP ${response.status}`,
          retriable: response.status >= 500,
        },
      );
    }
  }
}
