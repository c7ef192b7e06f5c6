import { describe, expect, it } from 'vitest';
import type { ConversationState } from './conversation-heads.js';
import type { MessageDoc } from './models.js';
import { ReplyRewardRule } from './reply-reward-rule.js';

const HOUR = 60 * 60 * 1000;
let count = 0;

function message(senderId: string, recipientId: string, atMs: number): MessageDoc {
  count += 1;
  return {
    _id: `m${count}`,
    conversationId: 'dm_ab',
    senderId,
    recipientId,
    clientMessageId: `c${count}`,
    text: 'text',
    seq: count,
    createdAt: new Date(atMs),
    version: 1,
    changeSeq: count,
  };
}

/** Runs new messages through the rule, in order, and returns each one's reward decision. */
function decide(rule: ReplyRewardRule, messages: MessageDoc[]) {
  return messages.map((doc) => {
    rule.next(doc, true);
    return doc.replyReward ?? null;
  });
}

describe('ReplyRewardRule', () => {
  it("rewards a reply to the other participant's message sent less than 24 h before", () => {
    const question = message('alice', 'bob', 0);
    const answer = message('bob', 'alice', 2 * HOUR);
    expect(decide(new ReplyRewardRule(undefined), [question, answer])).toEqual([
      null,
      { repliedToMessageId: question._id, replyDelayMs: 2 * HOUR, publishedAt: null },
    ]);
  });

  it('does not reward one-sided messages, nor a reply 24 h or more later', () => {
    const rule = new ReplyRewardRule(undefined);
    expect(
      decide(rule, [
        message('alice', 'bob', 0),
        message('alice', 'bob', HOUR),
        message('bob', 'alice', 25 * HOUR),
      ]),
    ).toEqual([null, null, null]);
    const exactlyLate = new ReplyRewardRule(undefined);
    expect(decide(exactlyLate, [message('alice', 'bob', 0), message('bob', 'alice', 24 * HOUR)])).toEqual([
      null,
      null,
    ]);
  });

  it('rewards a replier once per 24 h window, each participant on their own', () => {
    const rule = new ReplyRewardRule(undefined);
    const decisions = decide(rule, [
      message('alice', 'bob', 0),
      message('bob', 'alice', HOUR), // bob rewarded
      message('alice', 'bob', 2 * HOUR), // alice rewarded: her own window
      message('bob', 'alice', 3 * HOUR), // bob within his window
      message('alice', 'bob', 26 * HOUR), // alice: 24 h since her reward, bob's message 23 h old
      message('bob', 'alice', 26.5 * HOUR), // bob: his window (from 1 h) is over
    ]);
    expect(decisions.map((decision) => decision !== null)).toEqual([false, true, true, false, true, true]);
  });

  it("starts from the stored conversation's latest message and reward windows", () => {
    const head: ConversationState = {
      _id: 'dm_ab',
      lastSeq: 7,
      lastMessage: { id: 'm-old', senderId: 'alice', createdAt: new Date(10 * HOUR) },
      participants: [
        { userId: 'alice', lastReplyRewardAt: null },
        { userId: 'bob', lastReplyRewardAt: new Date(0) },
      ],
    };
    const rule = new ReplyRewardRule(head);
    expect(decide(rule, [message('bob', 'alice', 11 * HOUR)])).toEqual([null]);
    expect(rule.rewardWindowStart('bob')).toEqual(new Date(0));
    const later = new ReplyRewardRule({ ...head, participants: [] });
    expect(decide(later, [message('bob', 'alice', 11 * HOUR)])).toEqual([
      { repliedToMessageId: 'm-old', replyDelayMs: HOUR, publishedAt: null },
    ]);
    expect(later.rewardWindowStart('bob')).toEqual(new Date(11 * HOUR));
  });

  it('replays a stored decision without deciding again', () => {
    const rule = new ReplyRewardRule(undefined);
    rule.next(message('alice', 'bob', 0), true);
    // Stored earlier without a reward: replaying it must not grant one now.
    const stored = message('bob', 'alice', HOUR);
    rule.next(stored, false);
    expect(stored.replyReward).toBeUndefined();
    expect(rule.rewardWindowStart('bob')).toBeUndefined();
    // Stored earlier with one: replaying it opens the replier's window again.
    const rewarded = message('alice', 'bob', 2 * HOUR);
    rewarded.replyReward = { repliedToMessageId: stored._id, replyDelayMs: HOUR, publishedAt: null };
    rule.next(rewarded, false);
    expect(rule.rewardWindowStart('alice')).toEqual(new Date(2 * HOUR));
  });
});
