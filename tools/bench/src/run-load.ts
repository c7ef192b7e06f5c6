import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadEvent, LoadJob, LoadResult } from './protocol.js';
import { tsxBin } from './targets.js';

const loadgenScript = fileURLToPath(new URL('./loadgen.ts', import.meta.url));

/**
 * Runs one job in a fresh load generator process. `onEvent` sees every progress event; after a "level"
 * event the generator waits until `onEvent` resolves. The process is killed if anything goes wrong.
 * `jobFile` keeps a record of the job without its secret; the generator gets the whole job on stdin.
 */
export async function runLoad(
  job: LoadJob,
  jobFile: string,
  onEvent: (event: LoadEvent, loadgenPid: number) => Promise<void> | void,
  timeoutMs: number,
): Promise<LoadResult> {
  writeFileSync(jobFile, JSON.stringify({ ...job, jwtSecret: '(not written: sent on stdin)' }));
  const child = spawn(tsxBin, ['--conditions=@chat/source', loadgenScript], {
    // Tens of thousands of client sockets need more than the default old-space limit.
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pid = child.pid as number;
  child.stdin?.write(`${JSON.stringify(job)}\n`);
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`load generator timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      let handling = Promise.resolve();
      // After its output is read and handled: a slow handler must not lose the "done" line queued behind it.
      child.once('close', (code) => {
        void handling.then(() => {
          clearTimeout(timer);
          reject(new Error(`load generator exited with ${code} before reporting`));
        });
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const event = JSON.parse(line) as LoadEvent;
        // Events are handled in order, one at a time, even when a handler is slow (memory sampling).
        handling = handling
          .then(async () => {
            await onEvent(event, pid);
            if (event.type === 'level') child.stdin?.write('continue\n');
            if (event.type === 'done') {
              clearTimeout(timer);
              resolve(event.result);
            }
          })
          .catch(reject);
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
