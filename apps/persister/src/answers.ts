import {
  type AnswerOf,
  audienceOf,
  CommandsByTopic,
  type CommandTopic,
  commandKey,
  type DeliveredFact,
  KafkaHeaders,
} from '@chat/contracts';
import { type EventBus, type IncomingEvent, type PresenceView, replyHeaders } from '@chat/event-bus';

/** A stored command's answer, and any headers of its own (traces). */
export interface Answer<C extends CommandTopic> {
  command: IncomingEvent<C>;
  fact: AnswerOf<C>;
  headers?: Record<string, string>;
}

/**
 * Publishes the facts that answer commands: on the answer topic of `@chat/contracts`' `Commands` table, each
 * keyed as its command and carrying its correlation id back; and delivered to the gateway that sent the
 * command and to every gateway holding a socket of a user the fact is told to (`routes`, from the presence
 * records), once per gateway however many of its users it concerns.
 */
export class Answers {
  constructor(
    private readonly bus: Pick<EventBus, 'publish'>,
    private readonly routes: Pick<PresenceView, 'gatewaysOf'>,
  ) {}

  publish<C extends CommandTopic>(topic: C, answers: Answer<C>[]): Promise<void> {
    const factTopic: DeliveredFact = CommandsByTopic[topic].answer.topic;
    return this.bus.publish(
      factTopic,
      answers.map(({ command, fact, headers }) => ({
        key: commandKey(topic, command.value),
        value: fact,
        headers: { ...headers, ...replyHeaders(command) },
        deliverTo: this.gatewaysFor(factTopic, fact, command),
      })),
    );
  }

  private gatewaysFor(
    topic: DeliveredFact,
    fact: AnswerOf<CommandTopic>,
    command: IncomingEvent<CommandTopic>,
  ) {
    const gateways = this.routes.gatewaysOf(audienceOf(topic, fact as never));
    const origin = command.headers[KafkaHeaders.originGateway];
    if (origin) gateways.add(origin);
    return gateways;
  }
}
