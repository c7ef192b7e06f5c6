import type { MessageSent } from '@chat/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { findConversationAccess, findConversationById } from '../src/conversation-reads.js';
import { oneToOneConversationId } from '../src/ids.js';
import { storeMessageBatch } from '../src/message-writes.js';
import type { ChatModels } from '../src/models.js';
import { applyMutes, findNotificationContext } from '../src/mutes.js';
import { applyReadMarkers } from '../src/read-markers.js';
import { useTestModels } from './fixtures.js';

const testModels = useTestModels('mutes');
let models: ChatModels;
let pairs = 0;

beforeAll(() => {
  models = testModels();
});

/** A 1-1 conversation of two fresh users with `count` messages from the first to the second. */
async function conversation(count: number) {
  pairs += 1;
  const [ann, bob] = [`ann${pairs}`, `bob${pairs}`];
  const conversationId = oneToOneConversationId(ann, bob);
  const commands: MessageSent[] = Array.from({ length: count }, (_, n) => ({
    conversationId,
    senderId: ann,
    recipientId: bob,
    clientMessageId: `m${n}`,
    text: `text ${n}`,
    sentAt: Date.now(),
    replyToId: null,
  }));
  await storeMessageBatch(models, commands);
  return { ann, bob, conversationId };
}

async function mutedAs(conversationId: string, userId: string) {
  const access = await findConversationAccess(models, conversationId, userId);
  if (typeof access === 'string') throw new Error(access);
  return (await findConversationById(models, access, userId)).mute;
}

describe('applyMutes', () => {
  it("stores a member's mute, shows it to them only, and removes it on unmute", async () => {
    const { ann, bob, conversationId } = await conversation(1);
    const until = Date.now() + 60_000;
    const [stored] = await applyMutes(models, [{ conversationId, userId: bob, muted: true, until }]);
    expect(stored).toEqual({ conversationId, userId: bob, muted: true, until });
    expect(await mutedAs(conversationId, bob)).toEqual({ until: new Date(until) });
    expect(await mutedAs(conversationId, ann)).toBeNull();

    await applyMutes(models, [{ conversationId, userId: bob, muted: true, until: null }]);
    expect(await mutedAs(conversationId, bob)).toEqual({ until: null });
    await applyMutes(models, [{ conversationId, userId: bob, muted: false, until: null }]);
    expect(await mutedAs(conversationId, bob)).toBeNull();
  });

  it('shows a mute whose time has passed as no mute', async () => {
    const { bob, conversationId } = await conversation(1);
    await applyMutes(models, [{ conversationId, userId: bob, muted: true, until: Date.now() - 1 }]);
    expect(await mutedAs(conversationId, bob)).toBeNull();
    expect((await findNotificationContext(models, conversationId, bob))?.muted).toBe(false);
  });

  it('answers nothing for a non-member or an unknown conversation', async () => {
    const { conversationId } = await conversation(1);
    expect(
      await applyMutes(models, [
        { conversationId, userId: 'stranger', muted: true, until: null },
        { conversationId: 'dm_unknown', userId: 'stranger', muted: true, until: null },
      ]),
    ).toEqual([undefined, undefined]);
  });
});

describe('findNotificationContext', () => {
  it("gives the recipient's mute and unread count, and nothing once they are not a member", async () => {
    const { ann, bob, conversationId } = await conversation(3);
    expect(await findNotificationContext(models, conversationId, bob)).toEqual({
      muted: false,
      unreadCount: 3,
    });
    // The sender's own messages are never unread to them.
    expect(await findNotificationContext(models, conversationId, ann)).toEqual({
      muted: false,
      unreadCount: 0,
    });
    await applyReadMarkers(models, [{ conversationId, readerId: bob, readAt: Date.now() + 1000 }]);
    await applyMutes(models, [{ conversationId, userId: bob, muted: true, until: null }]);
    expect(await findNotificationContext(models, conversationId, bob)).toEqual({
      muted: true,
      unreadCount: 0,
    });
    expect(await findNotificationContext(models, conversationId, 'stranger')).toBeUndefined();
  });
});
