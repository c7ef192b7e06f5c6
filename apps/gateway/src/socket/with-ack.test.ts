import type { Ack, MessageDto } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { ChatSocket } from './server.js';
import { withAck } from './with-ack.js';

type SendAck = Ack<{ message: MessageDto }>;

const socket = { data: { userId: 'alice' } } as ChatSocket;
const payload = { clientMessageId: 'c1', otherUserId: 'bob', text: 'hi' };
const message = { id: 'msg_1', text: 'hi' } as MessageDto;

/** A logger that records what it was asked to log at debug and error level. */
function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const record = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    lines.push({ level, fields, msg });
  return { lines, logger: { debug: record('debug'), error: record('error') } as unknown as Logger };
}

/** Calls the listener the way Socket.IO does (socket as `this`) and resolves with the ack it sends. */
function emit(listener: (...args: never[]) => void, body: unknown): Promise<SendAck> {
  return new Promise((resolve) => {
    (listener as (payload: unknown, ack: unknown) => void).call(socket, body, resolve);
  });
}

describe('withAck', () => {
  it('validates the payload and acks with the result for the emitting socket', async () => {
    const seen: unknown[] = [];
    const listener = withAck('message:send', recordingLogger().logger, async (from, parsed) => {
      seen.push([from.data.userId, parsed]);
      return { message };
    });
    expect(await emit(listener, payload)).toEqual({ ok: true, message });
    expect(seen).toEqual([['alice', payload]]);
  });

  it('acks VALIDATION_FAILED with the failing fields, without calling the handler', async () => {
    let called = false;
    const listener = withAck('message:send', recordingLogger().logger, async () => {
      called = true;
      return { message };
    });
    const ack = await emit(listener, { ...payload, text: 42 });
    expect(ack).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: [{ path: 'text', message: 'must be a string' }] },
    });
    expect(called).toBe(false);
  });

  it('acks an AppError with its code and message, and logs nothing', async () => {
    const { lines, logger } = recordingLogger();
    const listener = withAck('message:send', logger, async () => {
      throw new AppError('tooManyPendingSends');
    });
    expect(await emit(listener, payload)).toEqual({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message: 'Too many messages are waiting for their ack on this connection.',
        retriable: true,
      },
    });
    expect(lines).toEqual([]);
  });

  it('acks anything else as INTERNAL without its details, and logs it as an error', async () => {
    const { lines, logger } = recordingLogger();
    const failure = new Error('connection pool exhausted');
    const listener = withAck('message:send', logger, async () => {
      throw failure;
    });
    const ack = await emit(listener, payload);
    expect(ack).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Something went wrong on our side.', retriable: false },
    });
    expect(lines).toEqual([
      { level: 'error', fields: { err: failure, event: 'message:send' }, msg: 'socket event failed' },
    ]);
  });

  it('ignores an event sent without an ack callback', async () => {
    const { lines, logger } = recordingLogger();
    let called = false;
    const listener = withAck('message:send', logger, async () => {
      called = true;
      return { message };
    });
    await (listener as (payload: unknown, ack: unknown) => Promise<void>).call(socket, payload, undefined);
    expect(called).toBe(false);
    expect(lines).toEqual([
      { level: 'debug', fields: { event: 'message:send' }, msg: 'event without ack callback ignored' },
    ]);
  });
});
