import type { Topics } from '@chat/contracts';
import type { BatchHandler } from '@chat/event-bus';
import { type ChatModels, recordLastSeen } from '@chat/storage';
import type { SerialWriter } from '../serial-writer.js';

/**
 * presence.connection → users' lastSeenAt. Every change counts (going offline is the last moment seen; coming
 * online is seen too), so lastSeenAt survives restarts of every process.
 */
export function handlePresenceConnection(deps: {
  models: ChatModels;
  writer: SerialWriter;
}): BatchHandler<typeof Topics.presenceConnection> {
  return async (events) => {
    await deps.writer.exclusive(() =>
      recordLastSeen(
        deps.models,
        events.map(({ value }) => ({ userId: value.userId, at: value.at })),
      ),
    );
  };
}
