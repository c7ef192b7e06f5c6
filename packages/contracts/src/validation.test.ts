import { describe, expect, it } from 'vitest';
import { Limits } from './limits.js';
import {
  groupCreateSchema,
  isWellFormed,
  messageDeliveredSchema,
  messageHistoryQuerySchema,
  messageSendSchema,
  userIdSchema,
} from './validation.js';

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

describe('well-formed Unicode', () => {
  it('refuses an unpaired surrogate in ids, keys and text, and accepts pairs', () => {
    expect(isWellFormed('bob 😀')).toBe(true);
    for (const bad of ['\ud800', '\ud800x', 'x\udfff', '\udc00\ud800']) {
      expect(isWellFormed(bad), JSON.stringify(bad)).toBe(false);
      expect(userIdSchema.safeParse(bad).success).toBe(false);
      expect(
        messageSendSchema.safeParse({ clientMessageId: bad, otherUserId: 'bob', text: 'hi' }).success,
      ).toBe(false);
      expect(
        messageSendSchema.safeParse({ clientMessageId: 'c', otherUserId: 'bob', text: bad }).success,
      ).toBe(false);
      expect(groupCreateSchema.safeParse({ clientRequestId: 'r', name: 'n', memberIds: [bad] }).success).toBe(
        false,
      );
    }
    expect(userIdSchema.safeParse('😀').success).toBe(true);
  });
});

describe('messageDeliveredSchema', () => {
  it('bounds seq below what an Avro long carries in JavaScript', () => {
    const parse = (seq: number) => messageDeliveredSchema.safeParse({ conversationId: 'c', seq }).success;
    expect(parse(Limits.seqMax)).toBe(true);
    expect([Limits.seqMax + 1, Number.MAX_SAFE_INTEGER, 2 ** 53, 0, 1.5].map(parse)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
