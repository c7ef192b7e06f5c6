import { ErrorMessages } from '@chat/contracts';
import { describe, expect, it } from 'vitest';
import { InFlightLimit } from './in-flight-limit.js';

/** A piece of work that finishes when told to. */
function controlled() {
  let finish: () => void = () => {};
  const done = new Promise<string>((resolve) => {
    finish = () => resolve('done');
  });
  return { work: () => done, finish: () => finish() };
}

describe('InFlightLimit', () => {
  it('refuses one request more than the limit with RATE_LIMITED, before running it', async () => {
    const limit = new InFlightLimit<string>(2, 'tooManyPendingSends');
    const [a, b] = [controlled(), controlled()];
    const running = [limit.run('socket-1', a.work), limit.run('socket-1', b.work)];
    let ran = false;
    await expect(
      limit.run('socket-1', async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: ErrorMessages.tooManyPendingSends.message,
      retriable: true,
    });
    expect(ran).toBe(false);
    a.finish();
    b.finish();
    await expect(Promise.all(running)).resolves.toEqual(['done', 'done']);
  });

  it('counts each holder on its own', async () => {
    const limit = new InFlightLimit<string>(1, 'tooManyPendingSends');
    const first = controlled();
    const running = limit.run('socket-1', first.work);
    await expect(limit.run('socket-2', async () => 'other')).resolves.toBe('other');
    first.finish();
    await running;
  });

  it('frees a slot when a request finishes, also when it fails, and forgets idle holders', async () => {
    const limit = new InFlightLimit<string>(1, 'tooManyPendingSends');
    await expect(limit.run('socket-1', () => Promise.reject(new Error('store down')))).rejects.toThrow(
      'store down',
    );
    expect(limit.size).toBe(0);
    const next = controlled();
    const running = limit.run('socket-1', next.work);
    expect(limit.size).toBe(1);
    next.finish();
    await expect(running).resolves.toBe('done');
    expect(limit.size).toBe(0);
  });
});
