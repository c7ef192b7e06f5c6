import {
  type Ack,
  AckOptionalEvents,
  type AckResult,
  type ClientEvent,
  ClientEventSchemas,
  type ClientPayload,
  type ClientToServerEvents,
  type ErrorCode,
} from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import type { z } from 'zod';
import { AppError, toErrorBody } from '../errors.js';
import type { ChatSocket } from './server.js';

/**
 * The listener of client event `E`: validates the payload with the event's schema, runs `handle` for the
 * socket that sent it, and answers through the ack callback with its result or a catalogued error. The
 * payload `handle` gets and the result it returns are the event's, from `ClientToServerEvents`: the compiler
 * checks both. Events sent without an ack callback are ignored (logged), unless the contracts make the ack
 * optional (`AckOptionalEvents`: fire-and-forget events such as typing): those are handled, and their failures
 * only logged. `observe`, when given, learns each
 * answer's outcome (`ok` or the error code) and how long it took. `admit`, when given, runs before the payload
 * is parsed: a cheap check (a rate limit) that refuses by throwing, so a flood is refused before it costs a parse.
 *
 * Build it once per gateway, not per connection: Socket.IO calls a listener with the emitting socket as `this`
 * (Node's EventEmitter contract), so the same function serves every socket and an idle connection holds no
 * closure of its own, only its entry in the socket's listener table.
 */
export function withAck<E extends ClientEvent>(
  event: E,
  logger: Logger,
  handle: (socket: ChatSocket, payload: ClientPayload<E>) => Promise<AckResult<E>>,
  observe?: (outcome: 'ok' | ErrorCode, seconds: number) => void,
  options: { admit?: (socket: ChatSocket) => void } = {},
): ClientToServerEvents[E] {
  const schema: z.ZodType<ClientPayload<E>> = ClientEventSchemas[event];
  const ackOptional = AckOptionalEvents.has(event);
  const unanswered = (response: Ack<AckResult<E>>) => {
    if (!response.ok) logger.debug({ event, code: response.error.code }, 'event without ack callback failed');
  };
  async function onEvent(this: ChatSocket, payload: unknown, ack: unknown): Promise<void> {
    if (typeof ack !== 'function' && !ackOptional) {
      logger.debug({ event }, 'event without ack callback ignored');
      return;
    }
    // The one unchecked step: what the client passed as its callback is taken for the event's ack callback.
    const answer = typeof ack === 'function' ? (ack as (response: Ack<AckResult<E>>) => void) : unanswered;
    const started = performance.now();
    const reply = (response: Ack<AckResult<E>>) => {
      observe?.(response.ok ? 'ok' : response.error.code, (performance.now() - started) / 1000);
      answer(response);
    };
    try {
      options.admit?.(this);
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw AppError.validation(parsed.error);
      reply({ ok: true, ...(await handle(this, parsed.data)) });
    } catch (error) {
      if (!(error instanceof AppError)) logger.error({ err: error, event }, 'socket event failed');
      reply({ ok: false, error: toErrorBody(error) });
    }
  }
  return onEvent as ClientToServerEvents[E];
}
