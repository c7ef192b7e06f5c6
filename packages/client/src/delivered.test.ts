import { describe, expect, it } from 'vitest';
import { DeliveredMarks } from './delivered.js';

describe('DeliveredMarks', () => {
  it('owes one marker per conversation, with its highest seq, until taken', () => {
    const marks = new DeliveredMarks();
    for (let seq = 1; seq <= 250; seq++) marks.note(seq % 3 === 0 ? 'dm_a' : 'dm_b', seq);
    marks.note('dm_a', 7);
    expect(marks.take()).toEqual([
      { conversationId: 'dm_b', seq: 250 },
      { conversationId: 'dm_a', seq: 249 },
    ]);
    expect(marks.pending).toBe(false);
    expect(marks.take()).toEqual([]);
  });
});
