import type { Logger } from '@chat/runtime';
import { type PresenceService, presenceRoom } from '../presence/presence-service.js';
import type { ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/**
 * `presence:subscribe` / `presence:unsubscribe`. Any authenticated user may watch any user id (like a public
 * "last seen"); a deployment that needs privacy rules adds them here. A socket's own connection counts for
 * its user's presence through its user room (see PresenceService).
 */
export function createPresenceHandlers(deps: {
  presence: PresenceService;
  logger: Logger;
}): Pick<ClientHandlers, 'presence:subscribe' | 'presence:unsubscribe'> {
  return {
    'presence:subscribe': withAck('presence:subscribe', deps.logger, async (socket, { userIds }) => {
      const unique = [...new Set(userIds)];
      // Join first, then read: a change between the two is pushed, never lost.
      await socket.join(unique.map(presenceRoom));
      return { presence: await deps.presence.snapshot(unique) };
    }),
    'presence:unsubscribe': withAck('presence:unsubscribe', deps.logger, async (socket, { userIds }) => {
      for (const userId of userIds) await socket.leave(presenceRoom(userId));
      return {};
    }),
  };
}
