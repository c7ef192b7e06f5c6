import { ErrorMessages, type MessageDto } from '@chat/contracts';
import { EventNotEncodableError } from '@chat/event-bus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors.js';
import { PendingReplies } from './pending-replies.js';

const message = { id: 'm1', seq: 1 } as MessageDto;

describe('PendingReplies', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves the waiter holding the correlation id, and ignores unknown ids', async () => {
    const pending = new PendingReplies<MessageDto>(1000, 'sendNotConfirmed');
    const waiting = pending.wait('c1');
    pending.settle('other', message);
    pending.settle('c1', message);
    await expect(waiting).resolves.toBe(message);
    expect(pending.size).toBe(0);
  });

  it('fails with UNAVAILABLE after the timeout', async () => {
    vi.useFakeTimers();
    const pending = new PendingReplies<MessageDto>(500, 'sendNotConfirmed');
    const waiting = pending.wait('c1');
    vi.advanceTimersByTime(501);
    await expect(waiting).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: ErrorMessages.sendNotConfirmed.message,
      retriable: true,
    });
    expect(pending.size).toBe(0);
  });

  it('fails at once, publishing nothing, while nobody would answer', async () => {
    let absent = true;
    const pending = new PendingReplies<MessageDto>(60_000, 'sendNotConfirmed', () => absent);
    const publish = vi.fn(async () => {});
    await expect(pending.request(publish)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: ErrorMessages.noPersister.message,
      retriable: true,
    });
    expect(publish).not.toHaveBeenCalled();
    absent = false;
    const answered = pending.request(async (correlationId) => pending.settle(correlationId, message));
    await expect(answered).resolves.toBe(message);
  });

  it('fails at the timeout even while the publish itself hangs', async () => {
    vi.useFakeTimers();
    const pending = new PendingReplies<MessageDto>(500, 'sendNotConfirmed');
    const waiting = pending.request(() => new Promise<void>(() => {}));
    const outcome = expect(waiting).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: ErrorMessages.sendNotConfirmed.message,
    });
    await vi.advanceTimersByTimeAsync(501);
    await outcome;
  });

  it('fails with UNAVAILABLE when Kafka does not take the command: it may be sent again', async () => {
    const pending = new PendingReplies<MessageDto>(60_000, 'sendNotConfirmed');
    const failed = pending.request(async () => {
      throw Object.assign(new Error('broker not reachable'), { retriable: false });
    });
    await expect(failed).rejects.toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    expect(pending.size).toBe(0);
  });

  it('passes on, never as UNAVAILABLE, a command that cannot be built or encoded: sending it again fails again', async () => {
    const pending = new PendingReplies<MessageDto>(60_000, 'sendNotConfirmed');
    const encoding = new EventNotEncodableError('message.delivered event does not fit its schema');
    await expect(pending.request(async () => Promise.reject(encoding))).rejects.toBe(encoding);
    const building = new TypeError('cannot build the command');
    await expect(
      pending.request(() => {
        throw building;
      }),
    ).rejects.toBe(building);
    expect(pending.size).toBe(0);
  });

  it('fails everyone on failAll', async () => {
    const pending = new PendingReplies<MessageDto>(1000, 'sendNotConfirmed');
    const all = [pending.wait('a'), pending.wait('b')];
    pending.failAll(new AppError('UNAVAILABLE'));
    for (const waiting of all) await expect(waiting).rejects.toBeInstanceOf(AppError);
  });
});
