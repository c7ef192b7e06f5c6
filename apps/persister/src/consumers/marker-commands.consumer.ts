import { type AnswerOf, type CommandTopic, type EventsByTopic, Topics } from '@chat/contracts';
import type { BatchHandler } from '@chat/event-bus';
import { applyDeliveredMarkers, applyMutes, applyReadMarkers, type ChatModels } from '@chat/storage';
import type { Answer, Answers } from '../answers.js';
import type { PersisterMetrics } from '../metrics.js';

/**
 * A command that sets a member's marker (or mute) on a conversation: apply the batch, set aside each command whose
 * conversation has no such member, answer each other command with its stored marker.
 */
function handleMarkerCommands<C extends CommandTopic>(options: {
  answers: Answers;
  topic: C;
  apply: (commands: EventsByTopic[C][]) => Promise<Array<AnswerOf<C> | undefined>>;
  noSuchMember: string;
  /** Times the database write, when the write is measured. */
  timeWrite?: () => () => void;
}): BatchHandler<C> {
  return async (events, deadLetter) => {
    const written = options.timeWrite?.();
    const results = await options.apply(events.map((event) => event.value));
    written?.();
    const answers: Answer<C>[] = [];
    for (const [index, command] of events.entries()) {
      const fact = results[index];
      if (fact) answers.push({ command, fact });
      else await deadLetter(command, options.noSuchMember);
    }
    await options.answers.publish(options.topic, answers);
  };
}

/** conversation.read → the reader's marker moved forward → conversation.read.persisted with the stored marker. */
export function handleConversationRead(deps: {
  answers: Answers;
  models: ChatModels;
  metrics: PersisterMetrics;
}): BatchHandler<typeof Topics.conversationRead> {
  return handleMarkerCommands({
    answers: deps.answers,
    topic: Topics.conversationRead,
    apply: (commands) => applyReadMarkers(deps.models, commands),
    noSuchMember: 'no such conversation for this reader',
    timeWrite: () => deps.metrics.dbWriteSeconds.startTimer({ kind: 'read_markers' }),
  });
}

/** message.delivered → the member's delivered marker moved forward → message.delivered.persisted as stored. */
export function handleMessageDelivered(deps: {
  answers: Answers;
  models: ChatModels;
}): BatchHandler<typeof Topics.messageDelivered> {
  return handleMarkerCommands({
    answers: deps.answers,
    topic: Topics.messageDelivered,
    apply: (commands) => applyDeliveredMarkers(deps.models, commands),
    noSuchMember: 'no such conversation for this member',
  });
}

/** conversation.mute → the member's mute stored on their participant entry → conversation.mute.persisted. */
export function handleConversationMute(deps: {
  answers: Answers;
  models: ChatModels;
}): BatchHandler<typeof Topics.conversationMute> {
  return handleMarkerCommands({
    answers: deps.answers,
    topic: Topics.conversationMute,
    apply: (commands) => applyMutes(deps.models, commands),
    noSuchMember: 'no such conversation for this member',
  });
}
