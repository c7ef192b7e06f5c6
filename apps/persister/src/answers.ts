import { type AnswerOf, type CommandTopic, commandKey, Requests } from '@chat/contracts';
import { type EventBus, type IncomingEvent, replyHeaders } from '@chat/event-bus';

/** A stored command's answer, and any headers of its own (traces). */
export interface Answer<C extends CommandTopic> {
  command: IncomingEvent<C>;
  fact: AnswerOf<C>;
  headers?: Record<string, string>;
}

/**
 * Publishes the facts that answer commands of `topic`, on the answer topic of `@chat/contracts`' `Requests`
 * table, each keyed as its command and carrying its correlation id back, so the gateway that waits on it finds it.
 */
export function publishAnswers<C extends CommandTopic>(
  bus: Pick<EventBus, 'publish'>,
  topic: C,
  answers: Answer<C>[],
): Promise<void> {
  return bus.publish(
    Requests[topic].answer,
    answers.map(({ command, fact, headers }) => ({
      key: commandKey(topic, command.value),
      value: fact,
      headers: { ...headers, ...replyHeaders(command) },
    })),
  );
}
