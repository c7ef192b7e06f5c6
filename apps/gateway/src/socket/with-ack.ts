import type { Ack } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { z } from 'zod';
import { AppError, toErrorBody } from '../errors.js';
import type { ChatSocket } from './server.js';

/**
 * Wraps a socket event handler: validates the payload, runs `handle` for the socket that sent it, and answers
 * through the ack callback with its result or a catalogued error. Events sent without an ack callback are
 * ignored (logged).
 *
 * Build it once per gateway, not per connection: Socket.IO calls a listener with the emitting socket as `this`
 * (Node's EventEmitter contract), so the same function serves every socket and an idle connection holds no
 * closure of its own, only its entry in the socket's listener table.
 */
export function withAck<S extends z.ZodType, R extends object>(
  event: string,
  schema: S,
  logger: Logger,
  handle: (socket: ChatSocket, payload: z.infer<S>) => Promise<R>,
) {
  return async function onEvent(this: ChatSocket, payload: unknown, ack: unknown): Promise<void> {
    if (typeof ack !== 'function') {
      logger.debug({ event }, 'event without ack callback ignored');
      return;
    }
    const reply = ack as (response: Ack<R>) => void;
    try {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw AppError.validation(parsed.error);
      reply({ ok: true, ...(await handle(this, parsed.data)) });
    } catch (error) {
      if (!(error instanceof AppError)) logger.error({ err: error, event }, 'socket event failed');
      reply({ ok: false, error: toErrorBody(error) });
    }
  };
}
