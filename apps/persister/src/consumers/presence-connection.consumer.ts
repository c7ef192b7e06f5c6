import type { Topics } from '@chat/contracts';
import type { BatchHandler } from '@chat/event-bus';
import { type ChatModels, recordLastSeen } from '@chat/storage';
import type { PersisterMetrics } from '../metrics.js';

/**
 * presence.connection → users' lastSeenAt, so it survives restarts of every process. Only going offline
 * counts: while a user is online their lastSeenAt is "now", so a connection storm writes nothing. It writes
 * its own collection, never a conversation, so it runs beside the message writes, not behind them.
 */
export function handlePresenceConnection(deps: {
  models: ChatModels;
  metrics: PersisterMetrics;
}): BatchHandler<typeof Topics.presenceConnection> {
  return async (events) => {
    const offline = events
      .filter(({ value }) => !value.online)
      .map(({ value }) => ({ userId: value.userId, at: value.at }));
    if (offline.length === 0) return;
    const written = deps.metrics.dbWriteSeconds.startTimer({ kind: 'last_seen' });
    await recordLastSeen(deps.models, offline);
    written();
  };
}
