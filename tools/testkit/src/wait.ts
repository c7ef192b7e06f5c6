/**
 * Polls `condition` until it holds and resolves with the milliseconds that took; rejects once `timeoutMs`
 * passed without it. For effects that have no event of their own to await (a database row, a log line).
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'condition',
): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}
