import type { GroupChange, MessageSent } from '@chat/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConversationHeads } from '../src/conversation-heads.js';
import {
  findConversationAccess,
  findConversationById,
  findConversationMessagePage,
} from '../src/conversation-reads.js';
import { applyDeliveredMarkers } from '../src/delivered-markers.js';
import { applyGroupChange } from '../src/group-writes.js';
import { groupConversationId } from '../src/ids.js';
import { storeMessageBatch } from '../src/message-writes.js';
import type { ChatModels } from '../src/models.js';
import { applyReadMarkers } from '../src/read-markers.js';
import { storedMessages, useTestModels } from './fixtures.js';

const testModels = useTestModels('groups');
let models: ChatModels;
let groups = 0;

beforeAll(() => {
  models = testModels();
});

/** A change that must be applied: its group after it and who it added or removed. */
async function applied(command: GroupChange, maxMembers = 256) {
  const result = await applyGroupChange(models, command, maxMembers);
  if ('refused' in result) throw new Error(`refused: ${result.refused}`);
  return result;
}

/** Why a change was refused; undefined when it was applied. */
async function refusalOf(command: GroupChange, maxMembers = 256) {
  const result = await applyGroupChange(models, command, maxMembers);
  return 'refused' in result ? result.refused : undefined;
}

/** A fresh group of `owner` with `members`, as created through `group:create`. */
async function newGroup(members: string[]) {
  groups += 1;
  const owner = `owner${groups}`;
  const conversationId = groupConversationId(owner, `request${groups}`);
  const create: GroupChange = {
    conversationId,
    actorId: owner,
    action: 'create',
    name: 'team',
    memberIds: members,
    at: Date.now(),
  };
  return { owner, conversationId, create, stored: await applied(create) };
}

const change = (
  conversationId: string,
  actorId: string,
  action: 'add' | 'remove',
  memberIds: string[],
): GroupChange => ({ conversationId, actorId, action, name: null, memberIds, at: Date.now() });

function groupMessage(conversationId: string, senderId: string, n: number): MessageSent {
  return {
    conversationId,
    senderId,
    recipientId: null,
    clientMessageId: `m${n}`,
    text: `text ${n}`,
    sentAt: Date.now(),
    replyToId: null,
  };
}

describe('applyGroupChange', () => {
  it('creates once: a replayed create answers the group as stored', async () => {
    const { create, stored } = await newGroup(['x', 'y']);
    expect(stored.group.participants.map((p) => [p.userId, p.role])).toEqual([
      [create.actorId, 'admin'],
      ['x', 'member'],
      ['y', 'member'],
    ]);
    const replay = await applied({ ...create, memberIds: ['z'], at: Date.now() + 1000 });
    expect(replay).toEqual(stored);
  });

  it('refuses non-admins and groups grown past the limit, and changes nothing twice', async () => {
    const { owner, conversationId } = await newGroup(['x']);
    expect(await refusalOf(change(conversationId, 'x', 'add', ['y']))).toBe('not-an-admin');
    // Someone who never was a member is told what a missing group would tell them.
    expect(await refusalOf(change(conversationId, 'nobody', 'add', ['y']))).toBe('no-such-group');
    expect(await refusalOf(change(conversationId, owner, 'add', ['y', 'z']), 2)).toBe('too-many-members');
    const added = await applied(change(conversationId, owner, 'add', ['y']));
    const again = await applied(change(conversationId, owner, 'add', ['y']));
    expect(again.group.participants).toEqual(added.group.participants);
    expect(again.userIds).toEqual([]);
  });

  it('keeps the read and delivered markers of others stored at the same moment as a membership change', async () => {
    const members = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const { owner, conversationId } = await newGroup(members);
    await storeMessageBatch(models, [groupMessage(conversationId, owner, 1)]);
    const readAt = Date.UTC(2030, 0, 1);
    // Members leave while the others' markers move: indexes shift under the marker writes.
    await Promise.all([
      ...members
        .slice(0, 5)
        .map((id) => applyGroupChange(models, change(conversationId, id, 'remove', [id]), 256)),
      ...members.slice(5).map((id) => applyReadMarkers(models, [{ conversationId, readerId: id, readAt }])),
    ]);
    const group = await models.conversations.findOne({ _id: conversationId });
    expect(group?.participantIds).toEqual([owner, ...members.slice(5)]);
    for (const id of members.slice(5)) {
      const participant = group?.participants.find((p) => p.userId === id);
      expect(participant?.lastReadAt?.getTime()).toBe(readAt);
      expect(participant?.lastDeliveredSeq).toBe(1);
    }
  });

  it('refuses a removed member’s message even when a head was remembered, and limits their history', async () => {
    const { owner, conversationId } = await newGroup(['x']);
    const heads = new ConversationHeads(100);
    const first = await storeMessageBatch(models, [groupMessage(conversationId, 'x', 1)], heads);
    expect(storedMessages(first)[0]?.memberIds).toEqual([owner, 'x']);
    await applyGroupChange(models, change(conversationId, owner, 'remove', ['x']), 256);
    const refused = await storeMessageBatch(
      models,
      [groupMessage(conversationId, 'x', 2), groupMessage(conversationId, owner, 3)],
      heads,
    );
    expect(refused.outcomes[0]).toMatchObject({ refusal: 'sender is not a member of the group' });
    expect(storedMessages(refused).map((m) => [m.seq, m.memberIds])).toEqual([[2, [owner]]]);

    const access = await findConversationAccess(models, conversationId, 'x');
    expect(access).toMatchObject({ untilSeq: 1 });
    const page = await findConversationMessagePage(models, conversationId, 'x', { limit: 10 }, 1);
    expect(page.messages.map((m) => m.seq)).toEqual([1]);
    expect(await findConversationAccess(models, conversationId, 'stranger')).toBe('forbidden');
  });

  it('keeps what a removed member saw at the removal, answers their repeated leave with it, and refuses outsiders as if there were no group', async () => {
    const { owner, conversationId } = await newGroup(['x', 'y']);
    const removal = await applied(change(conversationId, 'x', 'remove', ['x']));
    expect(removal.userIds).toEqual(['x']);
    await applyGroupChange(models, change(conversationId, owner, 'add', ['z']), 256);
    await applyReadMarkers(models, [{ conversationId, readerId: 'y', readAt: Date.now() }]);

    const access = await findConversationAccess(models, conversationId, 'x');
    if (typeof access === 'string') throw new Error(`no access: ${access}`);
    const view = await findConversationById(models, access, 'x');
    expect(view.conversation.participants.map((p) => [p.userId, p.lastReadAt])).toEqual([
      [owner, null],
      ['y', null],
    ]);
    const again = await applied(change(conversationId, 'x', 'remove', ['x']));
    expect(again.userIds).toEqual([]);
    expect(again.group.participants).toEqual(removal.group.participants);
    expect(await refusalOf(change(conversationId, 'x', 'remove', ['y']))).toBe('not-a-member');
    expect(await refusalOf(change(conversationId, 'stranger', 'remove', ['stranger']))).toBe('no-such-group');
  });

  it('moves delivered markers forward only, never past the last message', async () => {
    const { owner, conversationId } = await newGroup(['x']);
    await storeMessageBatch(
      models,
      [1, 2, 3].map((n) => groupMessage(conversationId, owner, n)),
    );
    const marker = async (seq: number) =>
      (await applyDeliveredMarkers(models, [{ conversationId, userId: 'x', seq }]))[0]?.lastDeliveredSeq;
    expect(await marker(2)).toBe(2);
    expect(await marker(1)).toBe(2);
    expect(await marker(9)).toBe(3);
    expect(await applyDeliveredMarkers(models, [{ conversationId, userId: 'stranger', seq: 1 }])).toEqual([
      undefined,
    ]);
  });
});
