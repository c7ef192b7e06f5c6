import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboxCursor } from '@chat/storage';

/**
 * Inbox cursors as clients hold them: the position (base64url JSON) and an HMAC-SHA256 of it and of the user it
 * was issued to, with a key of the server's. A cursor the server never issued (forged, altered, another user's,
 * or signed with another key) does not open, so its position never reaches a query.
 */
export class InboxCursors {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('chat-backend inbox cursor v1').digest();
  }

  seal(userId: string, cursor: InboxCursor): string {
    const body = Buffer.from(JSON.stringify([cursor.lastActivityAt, cursor.id])).toString('base64url');
    return `${body}.${this.mac(userId, body).toString('base64url')}`;
  }

  /** The position of a cursor issued to `userId`; undefined for anything else. */
  open(userId: string, raw: string): InboxCursor | undefined {
    const [body, mac, ...rest] = raw.split('.');
    if (body === undefined || mac === undefined || rest.length > 0) return undefined;
    const presented = Buffer.from(mac, 'base64url');
    const expected = this.mac(userId, body);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
    const [lastActivityAt, id] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    if (!Number.isSafeInteger(lastActivityAt) || typeof id !== 'string') return undefined;
    return { lastActivityAt: lastActivityAt as number, id };
  }

  private mac(userId: string, body: string): Buffer {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([userId, body]))
      .digest();
  }
}
