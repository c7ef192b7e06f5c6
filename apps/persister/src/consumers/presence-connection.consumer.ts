import type { Topics } from '@chat/contracts';
import type { BatchHandler } from '@chat/event-bus';
import { type ChatModels, recordLastSeen } from '@chat/storage';

/**
 * presence.connection → users' lastSeenAt, so it survives restarts of every process. Only going offline
 * counts: while a user is online their lastSeenAt is "now", so a connection storm writes nothing. It writes
 * its own collection, never a conversation, so it runs beside the message writes, not behind them.
 */
export function handlePresenceConnection(deps: {
  models: ChatModels;
}): BatchHandler<typeof Topics.presenceConnection> {
  return async (events) => {
    await recordLastSeen(
      deps.models,
      events
        .filter(({ value }) => !value.online)
        .map(({ value }) => ({ userId: value.userId, at: value.at })),
    );
  };
}
