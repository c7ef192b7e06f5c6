// Preloaded into every server process under test (NODE_OPTIONS=--import): writes this process's memory to
// $BENCH_PROBE_DIR/<pid>.json twice a second, so the orchestrator can read heap figures from outside.
// SIGUSR2 asks for a full garbage collection first (the servers run with --expose-gc), then a sample marked
// with the request's number (`gcRequests`): what the connections retain, without the noise of when V8 last
// collected.
import { renameSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const directory = process.env.BENCH_PROBE_DIR;
// Preloads run in worker threads too, and a worker shares its process's pid: esbuild's synchronous API (used by
// tsx) runs in one, and its samples (a 5 MiB heap, no SIGUSR2) overwrote the server's own, now and then.
if (directory && isMainThread) {
  let gcRequests = 0;
  const write = () => {
    // Near the open-files limit (the connection ramp's ceiling) opening a file fails: skip that sample rather
    // than let the probe's error end the server under test.
    try {
      const heap = getHeapStatistics();
      const sample = {
        pid: process.pid,
        entry: process.argv[1] ?? '',
        at: Date.now(),
        gcRequests,
        heapUsed: heap.used_heap_size,
        heapTotal: heap.total_heap_size,
      };
      // Write then rename: a reader never sees a half-written file.
      writeFileSync(`${directory}/${process.pid}.tmp`, JSON.stringify(sample));
      renameSync(`${directory}/${process.pid}.tmp`, `${directory}/${process.pid}.json`);
    } catch {
      // The next tick's sample, or the orchestrator's wait for one, covers the gap.
    }
  };
  write();
  setInterval(write, 500).unref();
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    gcRequests += 1;
    write();
  });
}
