import { AssignerProtocol, type GroupDescription } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { judgeGroup } from './group-watch.js';

const member = (assignment: Record<string, number[]>) => ({
  memberId: `m-${Object.values(assignment).flat().join('-')}`,
  clientId: 'persister',
  clientHost: '/127.0.0.1',
  memberMetadata: Buffer.alloc(0),
  memberAssignment: AssignerProtocol.MemberAssignment.encode({
    version: 1,
    assignment,
    userData: Buffer.alloc(0),
  }),
});

const group = (state: GroupDescription['state'], members: GroupDescription['members']): GroupDescription => ({
  groupId: 'chat-persister',
  protocol: 'RoundRobinAssigner',
  protocolType: 'consumer',
  state,
  members,
});

const partitions = new Map([
  ['message.sent', 3],
  ['conversation.read', 1],
]);

describe('judgeGroup', () => {
  it('is alive with no problem when stable members own every partition between them', () => {
    const described = group('Stable', [
      member({ 'message.sent': [0, 1], 'conversation.read': [0] }),
      member({ 'message.sent': [2] }),
    ]);
    expect(judgeGroup('chat-persister', described, partitions)).toEqual({ alive: true });
  });

  it.each(['Empty', 'Dead'] as const)('is not alive when the group is %s', (state) => {
    expect(judgeGroup('chat-persister', group(state, []), partitions)).toEqual({
      alive: false,
      problem: `no persister is running: consumer group chat-persister is ${state}`,
    });
  });

  it('is not alive when the group is unknown to the broker', () => {
    expect(judgeGroup('chat-persister', undefined, partitions).alive).toBe(false);
  });

  it('is alive but not owning while rebalancing', () => {
    const status = judgeGroup('chat-persister', group('PreparingRebalance', [member({})]), partitions);
    expect(status).toEqual({ alive: true, problem: expect.stringContaining('rebalancing') });
  });

  it('names the partitions no member owns', () => {
    const status = judgeGroup(
      'chat-persister',
      group('Stable', [member({ 'message.sent': [0, 2] })]),
      partitions,
    );
    expect(status.problem).toContain('message.sent[1], conversation.read[0]');
  });
});
