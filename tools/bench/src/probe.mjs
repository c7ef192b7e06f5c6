// Preloaded into every server process under test (NODE_OPTIONS=--import): writes this process's memory to
// $BENCH_PROBE_DIR/<pid>.json twice a second, so the orchestrator can read heap figures from outside.
// SIGUSR2 asks for a full garbage collection first (the servers run with --expose-gc), then a sample: what a
// connection retains, without the noise of when V8 last collected.
import { renameSync, writeFileSync } from 'node:fs';

const directory = process.env.BENCH_PROBE_DIR;
if (directory) {
  const write = () => {
    const memory = process.memoryUsage();
    const sample = { pid: process.pid, entry: process.argv[1] ?? '', at: Date.now(), ...memory };
    // Write then rename: a reader never sees a half-written file.
    writeFileSync(`${directory}/${process.pid}.tmp`, JSON.stringify(sample));
    renameSync(`${directory}/${process.pid}.tmp`, `${directory}/${process.pid}.json`);
  };
  write();
  setInterval(write, 500).unref();
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    write();
  });
}
