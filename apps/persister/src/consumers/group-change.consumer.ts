import { Topics } from '@chat/contracts';
import { type BatchHandler, type EventBus, replyHeaders } from '@chat/event-bus';
import { applyGroupChange, type ChatModels } from '@chat/storage';
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
    const facts = [];
    for (const event of events) {
      const result = await applyGroupChange(deps.models, event.value, deps.maxGroupMembers);
      const fact = groupChangeFact(event.value, result);
      facts.push({ key: fact.conversationId, value: fact, headers: replyHeaders(event) });
    }
    await deps.bus.publish(Topics.groupChangePersisted, facts);
  };
}
