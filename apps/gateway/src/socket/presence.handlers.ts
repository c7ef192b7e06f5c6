import { presenceSubscribeSchema } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { type PresenceService, presenceRoom } from '../presence/presence-service.js';
import type { ChatSocket } from './server.js';
import { withAck } from './with-ack.js';

/**
 * `presence:subscribe` / `presence:unsubscribe`. Any authenticated user may watch any user id (like a public
 * "last seen"); a deployment that needs privacy rules adds them here.
 */
export function registerPresenceHandlers(
  socket: ChatSocket,
  deps: { presence: PresenceService; logger: Logger },
) {
  socket.on(
    'presence:subscribe',
    withAck('presence:subscribe', presenceSubscribeSchema, deps.logger, async ({ userIds }) => {
      const unique = [...new Set(userIds)];
      // Join first, then read: a change between the two is pushed, never lost.
      await socket.join(unique.map(presenceRoom));
      return { presence: await deps.presence.snapshot(unique) };
    }),
  );
  socket.on(
    'presence:unsubscribe',
    withAck('presence:unsubscribe', presenceSubscribeSchema, deps.logger, async ({ userIds }) => {
      for (const userId of userIds) await socket.leave(presenceRoom(userId));
      return {};
    }),
  );
}
