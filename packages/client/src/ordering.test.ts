import type { MessageDto } from '@chat/contracts';
import { describe, expect, it } from 'vitest';
import type { StreamEntry } from './ordering.js';
import { SeqOrder } from './ordering.js';

const message = (seq: number): MessageDto => ({
  id: `msg_${seq}`,
  conversationId: 'dm_x',
  senderId: 'alice',
  recipientId: 'bob',
  clientMessageId: `c${seq}`,
  text: `m${seq}`,
  seq,
  createdAt: new Date(seq * 1000).toISOString(),
  version: 1,
  reactions: [],
  changeSeq: seq,
});
const seqs = (messages: StreamEntry[]) => messages.map((m) => m.seq);

describe('SeqOrder', () => {
  it('emits each seq once, in order, whatever order and how often they arrive', () => {
    const order = new SeqOrder(0);
    const emitted: number[] = [];
    for (const seq of [3, 1, 1, 5, 2, 3, 4, 4, 6, 2]) emitted.push(...seqs(order.add(message(seq))));
    expect(emitted).toEqual([1, 2, 3, 4, 5, 6]);
    expect(order.lastSeq).toBe(6);
    expect(order.waiting).toBe(false);
  });

  it('holds messages after a gap until it is filled', () => {
    const order = new SeqOrder(10);
    expect(seqs(order.add(message(13)))).toEqual([]);
    expect(order.waiting).toBe(true);
    expect(seqs(order.add(message(11)))).toEqual([11]);
    expect(seqs(order.add(message(12)))).toEqual([12, 13]);
    expect(order.waiting).toBe(false);
  });

  it('drops what is at or below the last seq emitted (a resumed state, a replay)', () => {
    const order = new SeqOrder(5);
    expect(seqs(order.add(message(5)))).toEqual([]);
    expect(seqs(order.add(message(2)))).toEqual([]);
    expect(seqs(order.add(message(6)))).toEqual([6]);
  });

  it('emits nothing of a conversation without a baseline until start() sets one', () => {
    const order = new SeqOrder();
    expect(seqs(order.add(message(42)))).toEqual([]);
    expect(order.lastSeq).toBeUndefined();
    expect(order.waiting).toBe(true);
    expect(seqs(order.start(40))).toEqual([]);
    expect(seqs(order.add(message(41)))).toEqual([41, 42]);
  });

  it('start() drops held messages at or below the baseline, and does not move a known one', () => {
    const order = new SeqOrder();
    order.add(message(3));
    order.add(message(5));
    expect(seqs(order.start(4))).toEqual([5]);
    expect(seqs(order.start(100))).toEqual([]);
    expect(order.lastSeq).toBe(5);
  });

  it('skipGaps() releases what is held, in order, when the server has nothing in between', () => {
    const order = new SeqOrder(1);
    order.add(message(7));
    order.add(message(4));
    expect(seqs(order.skipGaps())).toEqual([4, 7]);
    expect(seqs(order.add(message(5)))).toEqual([]);
    expect(seqs(order.add(message(8)))).toEqual([8]);
  });
});
