import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a pid file records: the pid, and a marker that must appear in its command line (guards against pid reuse). */
interface PidRecord {
  pid: number;
  marker: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The pid recorded in `pidFile`, if that process is still alive and still the one we started. */
export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  let record: PidRecord;
  try {
    record = JSON.parse(readFileSync(pidFile, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
  if (!isAlive(record.pid)) return undefined;
  const cmdline = commandLineOf(record.pid);
  // Without /proc (not Linux) we cannot check the marker; trust the live pid.
  if (cmdline !== '' && !cmdline.includes(record.marker)) return undefined;
  return record.pid;
}

export interface DetachedCommand {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  /** A string unique to this process's command line, used to recognise it later. */
  marker: string;
}

/** Starts a process that outlives the CLI, output appended to its log file. */
export function spawnDetached(spec: DetachedCommand): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(spec.pidFile, JSON.stringify({ pid: child.pid, marker: spec.marker } satisfies PidRecord));
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(
  pidFile: string,
  graceMs: number,
): Promise<'stopped' | 'killed' | 'not-running'> {
  const pid = runningPid(pidFile);
  rmSync(pidFile, { force: true });
  if (pid === undefined) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

export function tailOf(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a command in the foreground with its output shown, printing a heartbeat while it is quiet. */
export function runVisible(
  label: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const started = Date.now();
  const heartbeat = setInterval(() => {
    process.stderr.write(`  … ${label}: ${Math.round((Date.now() - started) / 1000)}s\n`);
  }, 15_000);
  return new Promise<void>((resolveRun, rejectRun) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.once('error', (error) =>
      rejectRun(new Error(`${label}: could not run ${command}: ${error.message}`)),
    );
    child.once('exit', (code, signal) => {
      if (code === 0) resolveRun();
      else
        rejectRun(new Error(`${label} failed (${signal ?? `exit ${code}`}): ${command} ${args.join(' ')}`));
    });
  }).finally(() => clearInterval(heartbeat));
}
