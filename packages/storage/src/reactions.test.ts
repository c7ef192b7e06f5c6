import { describe, expect, it } from 'vitest';
import { withReactions } from './reactions.js';

describe('withReactions', () => {
  it('keeps emojis in the order first added and users in the order they reacted', () => {
    let reactions = withReactions([], 'bob', ['👍', '🎉']);
    reactions = withReactions(reactions, 'alice', ['🎉', '❤️']);
    reactions = withReactions(reactions, 'carol', ['👍']);
    expect(reactions).toEqual([
      { emoji: '👍', userIds: ['bob', 'carol'] },
      { emoji: '🎉', userIds: ['bob', 'alice'] },
      { emoji: '❤️', userIds: ['alice'] },
    ]);
  });

  it("sets the caller's whole set: an emoji left is dropped when nobody holds it, one kept keeps its place", () => {
    const before = [
      { emoji: '👍', userIds: ['bob', 'alice'] },
      { emoji: '🎉', userIds: ['bob'] },
    ];
    expect(withReactions(before, 'bob', ['👍'])).toEqual([{ emoji: '👍', userIds: ['bob', 'alice'] }]);
    expect(withReactions(before, 'bob', [])).toEqual([{ emoji: '👍', userIds: ['alice'] }]);
  });

  it('is idempotent: setting the same set again changes nothing', () => {
    const once = withReactions([], 'bob', ['👍', '🎉']);
    expect(withReactions(once, 'bob', ['🎉', '👍'])).toEqual(once);
  });
});
