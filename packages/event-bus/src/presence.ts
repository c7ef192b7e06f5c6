import { type PresenceConnection, type PresenceGateway, Topics } from '@chat/contracts';
import { pollUntil } from '@chat/runtime';
import type { Logger } from 'pino';
import type { EventBus } from './bus.js';
import type { IncomingEvent } from './events.js';

/** How long a reader waits for the presence history before it starts with what it has read. */
const CATCH_UP_TIMEOUT_MS = 15_000;

type PresenceTopic = typeof Topics.presenceConnection | typeof Topics.presenceGateway;

/**
 * Reads both presence topics from the beginning, with a consumer group of this process's own, and resolves
 * once it has read every record that existed when it started (or after 15 s, with a warning): the gateways'
 * presence view and the persisters' delivery routes are rebuilt this way, and kept current after.
 */
export async function followPresence(
  bus: EventBus,
  options: {
    groupId: string;
    logger: Logger;
    onConnection: (record: PresenceConnection) => void;
    onGateway: (record: PresenceGateway) => void;
  },
): Promise<void> {
  const ends = new Map<string, bigint>();
  for (const topic of [Topics.presenceConnection, Topics.presenceGateway] as const) {
    for (const [partition, end] of await bus.endOffsets(topic)) ends.set(`${topic}/${partition}`, end);
  }
  const reached = new Map<string, bigint>();
  const progress = (events: IncomingEvent<PresenceTopic>[], topic: PresenceTopic) => {
    const last = events.at(-1);
    if (last) reached.set(`${topic}/${last.partition}`, BigInt(last.offset) + 1n);
  };
  await bus.subscribe({
    groupId: options.groupId,
    fromBeginning: true,
    commitOffsets: false,
    handlers: {
      [Topics.presenceConnection]: async (events) => {
        for (const { value } of events) options.onConnection(value);
        progress(events, Topics.presenceConnection);
      },
      [Topics.presenceGateway]: async (events) => {
        for (const { value } of events) options.onGateway(value);
        progress(events, Topics.presenceGateway);
      },
    },
  });
  const caughtUp = await pollUntil(() => [...ends].every(([key, end]) => (reached.get(key) ?? 0n) >= end), {
    timeoutMs: CATCH_UP_TIMEOUT_MS,
    intervalMs: 50,
  });
  if (!caughtUp) options.logger.warn('presence history not fully read in time; starting with a partial view');
}
