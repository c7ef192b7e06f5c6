import { type PresenceConnection, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { Logger } from '@chat/runtime';

/** How long start-up waits to have read every presence record before it goes on with what it has. */
const CATCH_UP_TIMEOUT_MS = 15_000;

/**
 * Feeds every `presence.connection` record, from the oldest the compacted topic kept and then as they come, to
 * `apply`; resolves once the records that were there at the start are read. Every notifier reads them all, in a
 * private group with no stored progress: presence is keyed by user, conversations are not, so a notifier's
 * share of the conversations may concern anyone.
 */
export async function followConnections(
  deps: { bus: EventBus; logger: Logger; groupId: string },
  apply: (record: PresenceConnection) => void,
): Promise<void> {
  const ends = await deps.bus.endOffsets(Topics.presenceConnection);
  const behind = new Set([...ends].filter(([, end]) => end > 0n).map(([partition]) => partition));
  let caughtUp: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    caughtUp = resolve;
  });
  if (behind.size === 0) caughtUp();
  await deps.bus.subscribe({
    groupId: deps.groupId,
    fromBeginning: true,
    commitOffsets: false,
    handlers: {
      [Topics.presenceConnection]: async (events) => {
        for (const { value } of events) apply(value);
        const last = events.at(-1);
        if (last && BigInt(last.offset) + 1n >= (ends.get(last.partition) ?? 0n)) {
          behind.delete(last.partition);
          if (behind.size === 0) caughtUp();
        }
      },
    },
  });
  const timer = setTimeout(() => {
    deps.logger.warn('presence records not all read in time; starting with a partial view');
    caughtUp();
  }, CATCH_UP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}
