import { describe, expect, it } from 'vitest';
import { Limits } from './limits.js';
import { messageHistoryQuerySchema, messageSendSchema } from './validation.js';

const valid = { clientMessageId: 'c1', otherUserId: 'bob', text: 'hi' };

describe('messageSendSchema', () => {
  it('accepts a valid payload', () => {
    expect(messageSendSchema.parse(valid)).toEqual(valid);
  });

  it('counts the text limit in code points, not UTF-16 units', () => {
    const emoji = '😀'.repeat(Limits.messageTextMaxLength);
    expect(messageSendSchema.safeParse({ ...valid, text: emoji }).success).toBe(true);
    expect(messageSendSchema.safeParse({ ...valid, text: `${emoji}a` }).success).toBe(false);
  });

  it.each([
    ['blank text', { ...valid, text: ' \t' }],
    ['control characters in ids', { ...valid, otherUserId: 'bo\u0000b' }],
    ['an empty clientMessageId', { ...valid, clientMessageId: '' }],
    ['extra fields', { ...valid, extra: 1 }],
    ['a non-object', 'hello'],
  ])('rejects %s', (_name, payload) => {
    expect(messageSendSchema.safeParse(payload).success).toBe(false);
  });
});

describe('messageHistoryQuerySchema', () => {
  it('refuses an operator object where a user id is expected', () => {
    expect(messageHistoryQuerySchema.safeParse({ otherUserId: { $gt: '' } }).success).toBe(false);
    expect(messageSendSchema.safeParse({ ...valid, otherUserId: { $ne: null } }).success).toBe(false);
  });

  it('defaults the limit and coerces query strings', () => {
    expect(messageHistoryQuerySchema.parse({ otherUserId: 'bob' })).toEqual({
      otherUserId: 'bob',
      limit: 10,
    });
    expect(messageHistoryQuerySchema.parse({ otherUserId: 'bob', from: '7', limit: '100' })).toEqual({
      otherUserId: 'bob',
      from: 7,
      limit: 100,
    });
  });

  it.each([
    { limit: '0' },
    { limit: '101' },
    { limit: '2.5' },
    { limit: '1e1' },
    { limit: '0x10' },
    { limit: ' 5' },
    { limit: '' },
    { limit: ['5', '6'] },
    { from: '0' },
    { from: 'abc' },
    { from: 'Infinity' },
    { from: '-3' },
    { from: '99999999999999999999' },
    { after: '-1' },
    { after: 'NaN' },
    { after: { $gt: '' } },
    { 'otherUserId[$ne]': '1' },
  ])('rejects %o', (query) => {
    expect(messageHistoryQuerySchema.safeParse({ otherUserId: 'bob', ...query }).success).toBe(false);
  });
});
