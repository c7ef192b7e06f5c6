import type { EventsByTopic } from './events.js';
import type { AnswerTopic, CommandTopic } from './requests.js';

/** A fact that is delivered to users' sockets. */
export type DeliveredFact = AnswerTopic<CommandTopic>;

/**
 * Who is told of each delivered fact: the users whose sockets get it. The persister routes a fact to the
 * gateways holding these users (and the gateway that sent its command); each gateway emits it to its own sockets
 * of the same users. A new delivered fact does not compile until it has its entry here.
 */
export const FactAudiences: { [T in DeliveredFact]: (fact: EventsByTopic[T]) => string[] } = {
  // A group's members are exactly those the persister stored the message for.
  'message.persisted': (fact) =>
    fact.recipientId === null ? fact.memberIds : [fact.senderId, fact.recipientId],
  'conversation.read.persisted': (fact) => [
    fact.readerId,
    ...fact.memberIds,
    ...(fact.otherUserId ? [fact.otherUserId] : []),
  ],
  'message.delivered.persisted': (fact) => fact.memberIds,
  // A deletion for the actor alone goes to their own sockets; any other change to every member of the time of
  // each message it changed (a deletion empties the quotes of the replies, which are told too).
  'message.change.persisted': (fact) =>
    fact.refusal !== null
      ? []
      : fact.scope === 'me'
        ? [fact.actorId]
        : fact.messages.flatMap((message) => message.memberIds),
  // Only its requester is answered; the user's other devices see the mute on the conversation object.
  'conversation.mute.persisted': () => [],
  // A refusal, or a change that changed nothing, concerns only its requester (answered through its gateway).
  'group.change.persisted': (fact) =>
    fact.refusal !== null || (fact.action !== 'create' && fact.userIds.length === 0)
      ? []
      : [
          ...fact.participants.map((participant) => participant.userId),
          ...(fact.action === 'remove' ? fact.userIds : []),
        ],
};

/** The users told of `fact`, without repeats. */
export function audienceOf<T extends DeliveredFact>(topic: T, fact: EventsByTopic[T]): string[] {
  return [...new Set((FactAudiences[topic] as (fact: EventsByTopic[T]) => string[])(fact))];
}
