import type { TopicMessages } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Outbox } from './outbox.js';

const message = (value: string) => ({ key: 'k', value: Buffer.from(value) });

describe('Outbox', () => {
  const contents = (requests: TopicMessages[][]) =>
    requests.map((batch) =>
      batch.map(({ topic, messages }) => [topic, messages.map((m) => String(m.value))]),
    );

  it('sends the publishes of one event-loop turn together, at the end of that turn', async () => {
    const requests: TopicMessages[][] = [];
    const outbox = new Outbox(async (batch) => {
      requests.push(batch);
    });
    const sent = [outbox.enqueue('a', [message('1')]), outbox.enqueue('b', [message('2')])];
    await Promise.resolve();
    expect(requests).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    sent.push(outbox.enqueue('a', [message('3')]));
    await Promise.all(sent);
    expect(contents(requests)).toEqual([
      [
        ['a', ['1']],
        ['b', ['2']],
      ],
      [['a', ['3']]],
    ]);
  });

  it('coalesces the publishes queued while a request is in flight into the next, in order', async () => {
    const requests: TopicMessages[][] = [];
    let release: () => void = () => {};
    const outbox = new Outbox(async (batch) => {
      requests.push(batch);
      if (requests.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = outbox.enqueue('a', [message('1')]);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [
      outbox.enqueue('a', [message('2')]),
      outbox.enqueue('b', [message('3')]),
      outbox.enqueue('a', [message('4')]),
    ];
    release();
    await Promise.all([first, ...rest]);
    expect(contents(requests)).toEqual([
      [['a', ['1']]],
      [
        ['a', ['2', '4']],
        ['b', ['3']],
      ],
    ]);
  });

  it('rejects every publish of a failed request, and keeps going', async () => {
    let calls = 0;
    const outbox = new Outbox(async () => {
      calls += 1;
      if (calls === 1) throw new Error('broker down');
    });
    await expect(outbox.enqueue('a', [message('1')])).rejects.toThrow('broker down');
    await expect(outbox.enqueue('a', [message('2')])).resolves.toBeUndefined();
  });

  describe('with a linger', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('holds a publish that finds it idle for lingerMs, and sends what joined it meanwhile in one request', async () => {
      vi.useFakeTimers();
      const requests: string[][] = [];
      const outbox = new Outbox(async (batch) => {
        requests.push(batch.flatMap(({ messages }) => messages.map((m) => String(m.value))));
      }, 5);
      const sent = [outbox.enqueue('a', [message('1')])];
      await vi.advanceTimersByTimeAsync(4);
      expect(requests).toEqual([]);
      sent.push(outbox.enqueue('a', [message('2')]));
      await vi.advanceTimersByTimeAsync(1);
      await Promise.all(sent);
      expect(requests).toEqual([['1', '2']]);
    });
  });
});
