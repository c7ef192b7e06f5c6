import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Checks `condition` every `intervalMs` until it holds (true) or `timeoutMs` has passed (false): for waits on
 * something another process brings about, with nothing to be notified by.
 */
export async function pollUntil(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(options.intervalMs);
  }
}
