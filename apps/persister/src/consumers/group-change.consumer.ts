import { Topics } from '@chat/contracts';
import type { BatchHandler, EventBus } from '@chat/event-bus';
import { applyGroupChange, type ChatModels } from '@chat/storage';
import { type Answer, publishAnswers } from '../answers.js';
import { groupChangeFact } from './group-change-fact.js';

/**
 * group.change → the group created or its members changed → group.change.persisted with the participants after
 * it (or the refusal, so the gateway answers at once). Commands of one group share a partition and are applied
 * in order; message writes read a group's members afresh for every batch, so a change stored here counts for
 * every message sent after its ack, whichever persister stores it.
 */
export function handleGroupChange(deps: {
  bus: EventBus;
  models: ChatModels;
  maxGroupMembers: number;
}): BatchHandler<typeof Topics.groupChange> {
  return async (events) => {
    const answers: Answer<typeof Topics.groupChange>[] = [];
    for (const command of events) {
      const result = await applyGroupChange(deps.models, command.value, deps.maxGroupMembers);
      answers.push({ command, fact: groupChangeFact(command.value, result) });
    }
    await publishAnswers(deps.bus, Topics.groupChange, answers);
  };
}
