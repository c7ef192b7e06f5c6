import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Every app process's output is kept here for reading after a failed run. */
export const testLogDir = `${repoRoot}.stack/test-logs`;

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** The port the app reported in its "ready" log line. */
  port: number;
  /** Every log line so far, parsed (pino JSON). */
  logs: Array<Record<string, unknown>>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: a crash, with no chance to clean up. */
  kill(): Promise<void>;
  /** SIGSTOP: the process freezes (a long GC pause, a stalled VM) until `thaw()`. */
  freeze(): void;
  /** SIGCONT after `freeze()`. */
  thaw(): void;
  /** Not exited (it may be frozen). */
  readonly running: boolean;
  /** Frozen by `freeze()` and not thawed since. */
  readonly frozen: boolean;
}

/**
 * Runs an app's real entry file (main.ts) as its own process, and waits for its "ready" log line. `appsRoot`
 * is the checkout to run it from (this one by default; another commit's worktree, to compare versions).
 */
export function startApp(
  app: 'gateway' | 'persister' | 'notifier',
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; appsRoot?: string } = {},
): Promise<AppProcess> {
  const root = options.appsRoot ?? repoRoot;
  // tsx as a loader inside one node process (not the tsx CLI, which runs node as a child): a SIGKILL in a
  // test must kill the app itself.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@chat/source', join(root, 'apps', app, 'src', 'main.ts')],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  mkdirSync(testLogDir, { recursive: true });
  const logFile = createWriteStream(`${testLogDir}/${app}-${child.pid}.log`);
  child.stdout?.pipe(logFile);
  child.stderr?.pipe(logFile);
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  let frozen = false;

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`${app} was not ready in time.\nstderr:\n${stderr.join('')}`));
    }, options.readyTimeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited with ${code} before it was ready.\nstderr:\n${stderr.join('')}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === `${app} ready`) {
        clearTimeout(timer);
        resolve({
          name: app,
          child,
          port: Number(entry.port),
          logs,
          stop,
          kill,
          freeze: () => {
            frozen = child.kill('SIGSTOP');
          },
          thaw: () => {
            child.kill('SIGCONT');
            frozen = false;
          },
          get running() {
            return child.exitCode === null && child.signalCode === null;
          },
          get frozen() {
            return frozen;
          },
        });
      }
    });
  });
}
