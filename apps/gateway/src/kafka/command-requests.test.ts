import { ErrorMessages, KafkaHeaders, type MessagePersisted, Topics } from '@chat/contracts';
import { messageSent } from '@chat/contracts/fixtures';
import { type EventBus, EventNotEncodableError } from '@chat/event-bus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors.js';
import { CommandRequests } from './command-requests.js';

const command = messageSent();
const stored = { id: 'm1', seq: 1 } as MessagePersisted;

/** A bus whose publish records each record sent (or does what `publish` says). */
function requestsWith(options: {
  timeoutMs?: number;
  publish?: EventBus['publish'];
  answererAbsent?: () => boolean;
}) {
  const sent: Array<{ topic: string; key: string; correlationId?: string; origin?: string }> = [];
  const publish: EventBus['publish'] =
    options.publish ??
    (async (topic, records) => {
      for (const record of records) {
        sent.push({
          topic,
          key: record.key,
          correlationId: record.headers?.[KafkaHeaders.correlationId],
          origin: record.headers?.[KafkaHeaders.originGateway],
        });
      }
    });
  const requests = new CommandRequests({
    bus: { publish },
    gatewayId: 'g1',
    timeoutMs: options.timeoutMs ?? 60_000,
    answererAbsent: options.answererAbsent,
  });
  return { requests, sent };
}

describe('CommandRequests', () => {
  afterEach(() => vi.useRealTimers());

  it('publishes the command keyed as its table entry says, with a correlation id, and resolves with the answer', async () => {
    const { requests, sent } = requestsWith({});
    const answer = requests.request(Topics.messageSent, command);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    // The answer is delivered to this gateway: it names itself on the command.
    expect(sent[0]).toMatchObject({ topic: Topics.messageSent, key: 'dm_1', origin: 'g1' });
    expect(requests.pendingByCommand()).toMatchObject({
      [Topics.messageSent]: 1,
      [Topics.conversationRead]: 0,
    });
    requests.settle(Topics.messagePersisted, 'someone-else', stored);
    requests.settle(Topics.messagePersisted, sent[0]?.correlationId, stored);
    await expect(answer).resolves.toBe(stored);
    expect(requests.size).toBe(0);
  });

  it("ignores a fact of another command's topic with the same correlation id", async () => {
    const { requests, sent } = requestsWith({});
    const answer = requests.request(Topics.messageSent, command);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const correlationId = sent[0]?.correlationId;
    requests.settle(Topics.groupChangePersisted, correlationId, {} as never);
    expect(requests.size).toBe(1);
    requests.settle(Topics.messagePersisted, correlationId, stored);
    await expect(answer).resolves.toBe(stored);
  });

  it("fails with UNAVAILABLE and the command's own timeout message after the timeout", async () => {
    vi.useFakeTimers();
    const { requests } = requestsWith({ timeoutMs: 500 });
    const send = expect(requests.request(Topics.messageSent, command)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: ErrorMessages.sendNotConfirmed.message,
      retriable: true,
    });
    const read = expect(
      requests.request(Topics.conversationRead, { conversationId: 'dm_1', readerId: 'bob', readAt: 0 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', message: ErrorMessages.readNotConfirmed.message });
    await vi.advanceTimersByTimeAsync(501);
    await send;
    await read;
    expect(requests.size).toBe(0);
  });

  it('fails at once, publishing nothing, while nobody would answer', async () => {
    let absent = true;
    const { requests, sent } = requestsWith({ answererAbsent: () => absent });
    await expect(requests.request(Topics.messageSent, command)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: ErrorMessages.noPersister.message,
      retriable: true,
    });
    expect(sent).toEqual([]);
    absent = false;
    void requests.request(Topics.messageSent, command).catch(() => undefined);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    requests.failAll(new AppError('restarting'));
  });

  it('fails at the timeout even while the publish itself hangs', async () => {
    vi.useFakeTimers();
    const { requests } = requestsWith({ timeoutMs: 500, publish: () => new Promise<void>(() => {}) });
    const outcome = expect(requests.request(Topics.messageSent, command)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: ErrorMessages.sendNotConfirmed.message,
    });
    await vi.advanceTimersByTimeAsync(501);
    await outcome;
  });

  it('fails with UNAVAILABLE when Kafka does not take the command: it may be sent again', async () => {
    const { requests } = requestsWith({
      publish: async () => {
        throw Object.assign(new Error('broker not reachable'), { retriable: false });
      },
    });
    await expect(requests.request(Topics.messageSent, command)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retriable: true,
    });
    expect(requests.size).toBe(0);
  });

  it('passes on, never as UNAVAILABLE, a command that cannot be encoded: sending it again fails again', async () => {
    const encoding = new EventNotEncodableError('message.sent event does not fit its schema');
    const { requests } = requestsWith({ publish: () => Promise.reject(encoding) });
    await expect(requests.request(Topics.messageSent, command)).rejects.toBe(encoding);
    expect(requests.size).toBe(0);
  });

  it('fails everyone on failAll', async () => {
    const { requests } = requestsWith({});
    const all = [
      requests.request(Topics.messageSent, command),
      requests.request(Topics.messageSent, command),
    ];
    await vi.waitFor(() => expect(requests.size).toBe(2));
    requests.failAll(new AppError('UNAVAILABLE'));
    for (const waiting of all) await expect(waiting).rejects.toBeInstanceOf(AppError);
  });
});
