import { type EventsByTopic, type EventTopic, Topics } from '@chat/contracts';
import { type BatchHandler, type EventBus, replyHeaders } from '@chat/event-bus';
import { applyDeliveredMarkers, applyMutes, applyReadMarkers, type ChatModels } from '@chat/storage';
import type { PersisterMetrics } from '../metrics.js';

/**
 * A command that sets a member's marker (or mute) on a conversation: apply the batch, set aside each command whose
 * conversation has no such member, publish each stored marker as the fact that answers its command.
 */
function handleMarkerCommands<C extends EventTopic, F extends EventTopic>(options: {
  bus: EventBus;
  apply: (
    commands: EventsByTopic[C][],
  ) => Promise<Array<(EventsByTopic[F] & { conversationId: string }) | undefined>>;
  fact: F;
  noSuchMember: string;
  /** Times the database write, when the write is measured. */
  timeWrite?: () => () => void;
}): BatchHandler<C> {
  return async (events, deadLetter) => {
    const written = options.timeWrite?.();
    const results = await options.apply(events.map((event) => event.value));
    written?.();
    const facts = [];
    for (const [index, event] of events.entries()) {
      const result = results[index];
      if (!result) {
        await deadLetter(event, options.noSuchMember);
        continue;
      }
      facts.push({ key: result.conversationId, value: result, headers: replyHeaders(event) });
    }
    await options.bus.publish(options.fact, facts);
  };
}

/** conversation.read → the reader's marker moved forward → conversation.read.persisted with the stored marker. */
export function handleConversationRead(deps: {
  bus: EventBus;
  models: ChatModels;
  metrics: PersisterMetrics;
}): BatchHandler<typeof Topics.conversationRead> {
  return handleMarkerCommands({
    bus: deps.bus,
    apply: (commands) => applyReadMarkers(deps.models, commands),
    fact: Topics.conversationReadPersisted,
    noSuchMember: 'no such conversation for this reader',
    timeWrite: () => deps.metrics.dbWriteSeconds.startTimer({ kind: 'read_markers' }),
  });
}

/** message.delivered → the member's delivered marker moved forward → message.delivered.persisted as stored. */
export function handleMessageDelivered(deps: {
  bus: EventBus;
  models: ChatModels;
}): BatchHandler<typeof Topics.messageDelivered> {
  return handleMarkerCommands({
    bus: deps.bus,
    apply: (commands) => applyDeliveredMarkers(deps.models, commands),
    fact: Topics.messageDeliveredPersisted,
    noSuchMember: 'no such conversation for this member',
  });
}

/** conversation.mute → the member's mute stored on their participant entry → conversation.mute.persisted. */
export function handleConversationMute(deps: {
  bus: EventBus;
  models: ChatModels;
}): BatchHandler<typeof Topics.conversationMute> {
  return handleMarkerCommands({
    bus: deps.bus,
    apply: (commands) => applyMutes(deps.models, commands),
    fact: Topics.conversationMutePersisted,
    noSuchMember: 'no such conversation for this member',
  });
}
