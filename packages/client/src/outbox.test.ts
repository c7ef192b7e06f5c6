import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

describe('Outbox', () => {
  it('keeps sends in the order they were made, once per clientMessageId', () => {
    const outbox = new Outbox();
    outbox.add({ clientMessageId: 'a', otherUserId: 'bob', text: '1' });
    outbox.add({ clientMessageId: 'b', conversationId: 'grp_1', text: '2' });
    outbox.add({ clientMessageId: 'a', otherUserId: 'bob', text: 'again' });
    expect(outbox.list().map((e) => [e.clientMessageId, e.text])).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    outbox.remove('a');
    expect(outbox.has('a')).toBe(false);
    expect(outbox.size).toBe(1);
  });

  it("offers each conversation's oldest send only, so one conversation's sends are stored in order", () => {
    const outbox = new Outbox([
      { clientMessageId: 'b1', otherUserId: 'bob', text: '' },
      { clientMessageId: 'g1', conversationId: 'grp_1', text: '' },
      { clientMessageId: 'b2', otherUserId: 'bob', text: '' },
      { clientMessageId: 'c1', otherUserId: 'carol', text: '' },
      { clientMessageId: 'g2', conversationId: 'grp_1', text: '' },
    ]);
    expect(outbox.heads().map((e) => e.clientMessageId)).toEqual(['b1', 'g1', 'c1']);
    outbox.remove('b1');
    outbox.remove('g1');
    expect(outbox.heads().map((e) => e.clientMessageId)).toEqual(['b2', 'c1', 'g2']);
  });

  it('round-trips through JSON (a saved state) and hands out copies', () => {
    const outbox = new Outbox([{ clientMessageId: 'a', otherUserId: 'bob', text: 'hi' }]);
    const restored = new Outbox(JSON.parse(JSON.stringify(outbox.list())));
    expect(restored.list()).toEqual(outbox.list());
    const [copy] = restored.list();
    if (copy) copy.text = 'changed';
    expect(restored.list()[0]?.text).toBe('hi');
  });
});
