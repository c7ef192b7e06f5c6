import { Topics } from '@chat/contracts';
import { type BatchHandler, type EventBus, replyHeaders } from '@chat/event-bus';
import { applyReadMarkers, type ChatModels } from '@chat/storage';
import type { PersisterMetrics } from '../metrics.js';

/** conversation.read → the reader's marker moved forward → conversation.read.persisted with the stored marker. */
export function handleConversationRead(deps: {
  bus: EventBus;
  models: ChatModels;
  metrics: PersisterMetrics;
}): BatchHandler<typeof Topics.conversationRead> {
  return async (events, deadLetter) => {
    const written = deps.metrics.dbWriteSeconds.startTimer({ kind: 'read_markers' });
    const results = await applyReadMarkers(
      deps.models,
      events.map((event) => event.value),
    );
    written();
    const facts = [];
    for (const [index, event] of events.entries()) {
      const result = results[index];
      if (!result) {
        await deadLetter(event, 'no such conversation for this reader');
        continue;
      }
      facts.push({ key: result.conversationId, value: result, headers: replyHeaders(event) });
    }
    await deps.bus.publish(Topics.conversationReadPersisted, facts);
  };
}
