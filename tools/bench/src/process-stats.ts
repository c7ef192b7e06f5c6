import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU times in /proc in USER_HZ ticks, which is 100 on every mainstream kernel configuration. */
const TICKS_PER_SECOND = 100;

function readStat(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; every field we need comes after its closing parenthesis.
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `pid` and all its descendants (tsx runs the real Node process as a child, esbuild as a grandchild). */
export function processTree(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const candidate = Number(name);
    if (!Number.isInteger(candidate)) continue;
    const parent = Number(readStat(candidate)?.[1]);
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), candidate]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(childrenOf.get(next) ?? []));
  }
  return tree;
}

/** User plus system CPU seconds used so far by `pid` and its descendants. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    const fields = readStat(member);
    // After the name: state(0) ppid(1) ... utime(11) stime(12).
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

export function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match ? Number(match[1]) : 1024;
}

export interface ProbeSample {
  pid: number;
  entry: string;
  at: number;
  /** How many SIGUSR2 collections the process has run; a sample written right after one carries its number. */
  gcRequests: number;
  heapUsed: number;
  heapTotal: number;
}

export function readProbe(probeDir: string, pid: number): ProbeSample | undefined {
  const file = `${probeDir}/${pid}.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProbeSample) : undefined;
}

/** The server's own Node process in a tsx tree: the one whose entry file is TypeScript, not tsx's CLI. */
export function serverProbe(probeDir: string, rootPid: number): ProbeSample | undefined {
  return processTree(rootPid)
    .map((pid) => readProbe(probeDir, pid))
    .find((sample) => sample?.entry.endsWith('.ts'));
}
