import type { ConnectErrorData } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { ExtendedError } from 'socket.io';
import { verifyAccessToken } from '../auth/verify-token.js';
import type { GatewayConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { PresenceService } from '../presence/presence-service.js';
import { userRoom } from '../rooms.js';
import type { FloodGuard } from './flood-guard.js';
import type { ChatSocket } from './server.js';

/** Refuses a browser origin outside CORS_ORIGINS in production (native clients send no Origin). */
function assertOriginAllowed(config: GatewayConfig, socket: ChatSocket): void {
  const { origin } = socket.handshake.headers;
  if (config.nodeEnv === 'production' && origin !== undefined && !config.corsOrigins.includes(origin)) {
    throw new AppError('originNotAllowed');
  }
}

/**
 * Handshake middleware: the origin (in production), `auth.token` always, `query.token` only in development
 * (it leaks into URLs and logs), then whether the user is cooling down after a flood, then the user's socket
 * cap, counting their sockets on every gateway (as the other gateways last reported them). A refusal's `connect_error` carries `data.code` from the catalogue (and `retryAfterMs`
 * for RATE_LIMITED).
 */
export function authenticate(
  config: GatewayConfig,
  logger: Logger,
  flood: FloodGuard,
  presence: Pick<PresenceService, 'elsewhere'>,
) {
  return (socket: ChatSocket, next: (error?: ExtendedError) => void) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token =
      auth?.token ?? (config.nodeEnv === 'development' ? socket.handshake.query.token : undefined);
    try {
      assertOriginAllowed(config, socket);
      const { userId, expiresAt } = verifyAccessToken(token, config.jwt);
      const coolingMs = flood.coolingMs(userId);
      if (coolingMs !== undefined) throw new AppError('tooManyRefusals', { retryAfterMs: coolingMs });
      const open =
        (socket.nsp.adapter.rooms.get(userRoom(userId))?.size ?? 0) + presence.elsewhere(userId).sockets;
      if (open >= config.maxSocketsPerUser) {
        throw new AppError('TOO_MANY_CONNECTIONS', {
          details: [{ path: '(connection)', message: `at most ${config.maxSocketsPerUser} per user` }],
        });
      }
      socket.data.userId = userId;
      socket.data.tokenExpiresAt = expiresAt;
      // Deliveries go to this room, and presence follows it: the user is online here while it has a socket.
      void socket.join(userRoom(userId));
      next();
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('UNAUTHORIZED');
      logger.debug({ code: appError.code, reason: appError.message }, 'socket refused');
      const refusal: ExtendedError & { data?: ConnectErrorData } = new Error(appError.message);
      refusal.data = {
        code: appError.code,
        ...(appError.retryAfterMs === undefined ? {} : { retryAfterMs: appError.retryAfterMs }),
      };
      next(refusal);
    }
  };
}
