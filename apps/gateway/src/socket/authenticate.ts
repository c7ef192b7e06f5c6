import type { ConnectErrorData } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { ExtendedError } from 'socket.io';
import { verifyAccessToken } from '../auth/verify-token.js';
import type { GatewayConfig } from '../config.js';
import { AppError } from '../errors.js';
import { userRoom } from '../rooms.js';
import type { ChatSocket } from './server.js';

/** Handshake middleware: `auth.token` always; `query.token` only in development (it leaks into URLs and logs). */
export function authenticate(config: GatewayConfig, logger: Logger) {
  return (socket: ChatSocket, next: (error?: ExtendedError) => void) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token =
      auth?.token ?? (config.nodeEnv === 'development' ? socket.handshake.query.token : undefined);
    try {
      socket.data.userId = verifyAccessToken(token, config.jwt);
      // Deliveries go to this room, and presence follows it: the user is online here while it has a socket.
      void socket.join(userRoom(socket.data.userId));
      next();
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('UNAUTHORIZED');
      logger.debug({ reason: appError.message }, 'socket refused');
      const refusal: ExtendedError & { data?: ConnectErrorData } = new Error(appError.message);
      refusal.data = { code: 'UNAUTHORIZED' };
      next(refusal);
    }
  };
}
