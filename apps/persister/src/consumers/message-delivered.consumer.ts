import { Topics } from '@chat/contracts';
import { type BatchHandler, type EventBus, replyHeaders } from '@chat/event-bus';
import { applyDeliveredMarkers, type ChatModels } from '@chat/storage';

/** message.delivered → the member's delivered marker moved forward → message.delivered.persisted as stored. */
export function handleMessageDelivered(deps: {
  bus: EventBus;
  models: ChatModels;
}): BatchHandler<typeof Topics.messageDelivered> {
  return async (events, deadLetter) => {
    const results = await applyDeliveredMarkers(
      deps.models,
      events.map((event) => event.value),
    );
    const facts = [];
    for (const [index, event] of events.entries()) {
      const result = results[index];
      if (!result) {
        await deadLetter(event, 'no such conversation for this member');
        continue;
      }
      facts.push({ key: result.conversationId, value: result, headers: replyHeaders(event) });
    }
    await deps.bus.publish(Topics.messageDeliveredPersisted, facts);
  };
}
