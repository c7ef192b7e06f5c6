import type { MessageChange, MessagePersisted } from '@chat/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneToOneConversationId } from '../src/ids.js';
import { applyMessageChange } from '../src/message-changes.js';
import { findChangePage } from '../src/message-reads.js';
import { storeMessageBatch } from '../src/message-writes.js';
import type { ChatModels } from '../src/models.js';
import { storedMessages, useTestModels } from './fixtures.js';

const testModels = useTestModels('changes');
let models: ChatModels;
let pair = 0;
const WINDOW_MS = 900_000;

beforeAll(() => {
  models = testModels();
});

/** A fresh 1-1 conversation with `count` messages from `a`. */
async function conversationWith(count: number) {
  pair += 1;
  const [a, b] = [`ca${pair}`, `cb${pair}`];
  const conversationId = oneToOneConversationId(a, b);
  const batch = await storeMessageBatch(
    models,
    Array.from({ length: count }, (_, n) => ({
      conversationId,
      senderId: a,
      recipientId: b,
      clientMessageId: `m${n}`,
      text: `text ${n}`,
      sentAt: Date.now(),
      replyToId: null,
    })),
  );
  return { a, b, conversationId, messages: storedMessages(batch) };
}

function change(
  message: MessagePersisted,
  actorId: string,
  what: Partial<MessageChange> & Pick<MessageChange, 'action'>,
): MessageChange {
  return {
    conversationId: message.conversationId,
    messageId: message.id,
    actorId,
    text: null,
    scope: null,
    emojis: [],
    requestId: `r-${Math.random()}`,
    at: Date.now(),
    ...what,
  };
}

const apply = (command: MessageChange) => applyMessageChange(models, command, WINDOW_MS);

describe('applyMessageChange', () => {
  it('applies a replayed edit or reaction set once: no second version, no second changeSeq', async () => {
    const { a, b, messages } = await conversationWith(1);
    const message = messages[0] as MessagePersisted;
    const edit = change(message, a, { action: 'edit', text: 'edited', requestId: 'same' });
    const first = await apply(edit);
    const replay = await apply(edit);
    expect(first).toMatchObject({ message: { version: 2, changeSeq: 2, text: 'edited' } });
    expect(replay).toMatchObject({ message: { version: 2, changeSeq: 2 } });
    // The same requestId from another actor is another request.
    const reaction = change(message, b, { action: 'react', emojis: ['👍'], requestId: 'same' });
    await apply(reaction);
    await apply(reaction);
    const stored = await models.messages.findOne({ _id: message.id });
    expect(stored).toMatchObject({ version: 2, changeSeq: 3, reactions: [{ emoji: '👍', userIds: [b] }] });
    expect(stored?.versions).toHaveLength(1);
  });

  it('refuses by rule: the sender only, within the window, never a tombstone, members only', async () => {
    const { a, b, messages } = await conversationWith(1);
    const message = messages[0] as MessagePersisted;
    expect(await apply(change(message, b, { action: 'edit', text: 'x' }))).toEqual({
      refused: 'not-the-sender',
    });
    expect(await applyMessageChange(models, change(message, a, { action: 'edit', text: 'x' }), -1)).toEqual({
      refused: 'edit-window-closed',
    });
    expect(await apply(change(message, 'stranger', { action: 'react', emojis: ['👍'] }))).toEqual({
      refused: 'no-such-conversation',
    });
    expect(
      await apply({ ...change(message, a, { action: 'edit', text: 'x' }), messageId: 'msg_none' }),
    ).toEqual({
      refused: 'no-such-message',
    });
    expect(await apply(change(message, b, { action: 'delete', scope: 'everyone' }))).toEqual({
      refused: 'not-the-sender',
    });
    await apply(change(message, a, { action: 'delete', scope: 'everyone' }));
    expect(await apply(change(message, a, { action: 'edit', text: 'x' }))).toEqual({ refused: 'deleted' });
    expect(await apply(change(message, b, { action: 'react', emojis: ['👍'] }))).toEqual({
      refused: 'deleted',
    });
    // A replayed deletion changes nothing more.
    const before = await models.messages.findOne({ _id: message.id });
    await apply(change(message, a, { action: 'delete', scope: 'everyone' }));
    expect(await models.messages.findOne({ _id: message.id })).toEqual(before);
  });
});

describe('findChangePage', () => {
  it('pages through changes and hides, each message once, in changeSeq order, whatever the page size', async () => {
    const { a, b, conversationId, messages } = await conversationWith(6);
    const m = (index: number) => messages[index] as MessagePersisted;
    // Interleave hides (numbered for b only) with others' changes.
    await apply(change(m(0), b, { action: 'delete', scope: 'me' }));
    await apply(change(m(3), a, { action: 'edit', text: 'three' }));
    await apply(change(m(1), b, { action: 'delete', scope: 'me' }));
    await apply(change(m(0), a, { action: 'edit', text: 'zero' }));
    await apply(change(m(5), b, { action: 'delete', scope: 'me' }));
    await apply(change(m(1), b, { action: 'delete', scope: 'me' }));

    const pages = async (limit: number) => {
      const seen: Array<[string, number, boolean]> = [];
      let after: number | null = 0;
      while (after !== null) {
        const page: Awaited<ReturnType<typeof findChangePage>> = await findChangePage(
          models,
          conversationId,
          b,
          { after, limit },
        );
        for (const message of page.messages) {
          const hiddenAt = page.hidden.get(message._id);
          seen.push([message._id, hiddenAt ?? message.changeSeq, hiddenAt !== undefined]);
        }
        after = page.next;
      }
      return seen;
    };
    const whole = await pages(100);
    expect(whole).toEqual([
      [m(2).id, 3, false],
      [m(4).id, 5, false],
      [m(0).id, 7, true],
      [m(3).id, 8, false],
      [m(1).id, 9, true],
      [m(5).id, 11, true],
    ]);
    for (const limit of [1, 2, 3]) expect(await pages(limit)).toEqual(whole);
    // The sender, who hid nothing, sees every message at its own latest change.
    const forA = await findChangePage(models, conversationId, a, { after: 0, limit: 100 });
    expect(forA.messages.map((message) => message.changeSeq)).toEqual([2, 3, 5, 6, 8, 10]);
  });
});
