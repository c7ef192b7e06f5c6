/**
 * `pnpm bench [--quick] [--targets ours,relay,...] [--skip-connections]`: starts the local stack if needed,
 * then for each target (our gateway and persister, and the baselines) runs the message sweep and the
 * connection ramp from a separate load generator process, and writes bench-results/<timestamp>/.
 *
 * `pnpm bench --gateway-url http://host:port [--jwt-secret S] [--mongodb-uri URI] [--gateway-pid N]` measures an
 * already running deployment as "ours" instead: nothing of it is started or stopped (see USAGE).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadStackConfig, stackUrls } from '@chat/stack';
import { toChartHtml } from './chart.js';
import { sourceAddressesFor } from './client.js';
import { type BenchPlan, connectionCeiling, makePlan } from './plan.js';
import {
  openFilesLimit,
  processTree,
  readProbe,
  rssBytes,
  serverProbe,
  stackPids,
  treeCpuSeconds,
} from './process-stats.js';
import type { ConnectionsResult, SweepResult } from './protocol.js';
import {
  type BenchReport,
  type ConnectionsReport,
  compare,
  type MeasuredLevel,
  type MeasuredStep,
  type SweepReport,
  saturationOf,
  toMarkdown,
} from './report.js';
import { runLoad } from './run-load.js';
import {
  attachExternal,
  type ExternalGateway,
  type Infra,
  type RunningTarget,
  startTarget,
  type TargetName,
  tsxBin,
} from './targets.js';
import { dropDatabase, verifyStored } from './verify.js';
import { warmUpStack } from './warm-up.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const USAGE = `Usage: pnpm bench [options]

  --quick                  short steps and fewer connections (about 1.5 minutes for every target)
  --targets a,b            targets to run, of: ours, relay, kafka-relay, direct-write (default: all;
                           with --gateway-url: ours)
  --skip-connections       no idle-connection ramp
  --gateway-url URL        measure an already running gateway (http://host:port) as "ours": nothing of it
                           is started or stopped; baselines run on the local stack only if --targets names them
  --jwt-secret S           with --gateway-url, required (or BENCH_JWT_SECRET): the deployment's JWT_SECRET,
                           to sign the load generator's HS256 tokens
  --mongodb-uri URI        with --gateway-url: the deployment's database (mongodb://host:port/<database>), to
                           check every acked message is stored exactly once; without it storage is not checked
  --gateway-pid N          with --gateway-url, if the gateway runs on this machine: its Node process, for its
                           CPU and RSS from /proc; without it neither is measured
  --help                   this text

Every user and message id the run creates starts with its run tag, bench-<6 hex digits>; an external
deployment keeps those messages (the bench deletes nothing there).
`;

/** A mistake on the command line: reported in one message with every problem, without a stack trace. */
class UsageError extends Error {
  override name = 'UsageError';
}

const targetNames: readonly TargetName[] = ['ours', 'relay', 'kafka-relay', 'direct-write'];

interface BenchOptions {
  help: boolean;
  quick: boolean;
  /** Null: the default for the mode. */
  targets: TargetName[] | null;
  skipConnections: boolean;
  external: ExternalGateway | null;
}

/** The database named in a MongoDB connection string's path (hosts may be a comma-separated list). */
function databaseOf(mongodbUri: string): string | null {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(mongodbUri);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

const optionSpec = {
  help: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  targets: { type: 'string' },
  'skip-connections': { type: 'boolean', default: false },
  'gateway-url': { type: 'string' },
  'jwt-secret': { type: 'string' },
  'mongodb-uri': { type: 'string' },
  'gateway-pid': { type: 'string' },
} as const;

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({ args, options: optionSpec }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The command line and the one environment variable (BENCH_JWT_SECRET), checked together, read once. */
function readOptions(args: string[], env: NodeJS.ProcessEnv): Readonly<BenchOptions> {
  const values = parseCommandLine(args);
  const problems: string[] = [];

  let targets: TargetName[] | null = null;
  if (values.targets !== undefined) {
    const names = values.targets
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !targetNames.includes(name as TargetName));
    if (names.length === 0) problems.push('--targets names no target');
    if (unknown.length > 0)
      problems.push(`--targets: unknown ${unknown.join(', ')} (known: ${targetNames.join(', ')})`);
    targets = names as TargetName[];
  }

  let external: ExternalGateway | null = null;
  const gatewayUrl = values['gateway-url'];
  if (gatewayUrl === undefined) {
    for (const name of ['jwt-secret', 'mongodb-uri', 'gateway-pid'] as const) {
      if (values[name] !== undefined) problems.push(`--${name} needs --gateway-url`);
    }
  } else {
    let origin = '';
    try {
      const url = new URL(gatewayUrl);
      if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash)
        problems.push(`--gateway-url must be the gateway's origin, http(s)://host:port, not "${gatewayUrl}"`);
      origin = url.origin;
    } catch {
      problems.push(`--gateway-url is not a URL: "${gatewayUrl}"`);
    }
    const jwtSecret = values['jwt-secret'] ?? env.BENCH_JWT_SECRET;
    if (!jwtSecret)
      problems.push(
        "--gateway-url needs the deployment's JWT secret: pass --jwt-secret <secret> or set BENCH_JWT_SECRET",
      );
    const mongodbUri = values['mongodb-uri'] ?? null;
    if (mongodbUri !== null && databaseOf(mongodbUri) === null)
      problems.push('--mongodb-uri must name the database: mongodb://host:port/<database>');
    let gatewayPid: number | null = null;
    if (values['gateway-pid'] !== undefined) {
      gatewayPid = Number(values['gateway-pid']);
      if (!Number.isInteger(gatewayPid) || gatewayPid <= 0 || !existsSync(`/proc/${gatewayPid}`))
        problems.push(`--gateway-pid: no process ${values['gateway-pid']} on this machine`);
    }
    external = { url: origin, jwtSecret: jwtSecret ?? '', mongodbUri, gatewayPid };
  }

  // --help answers even a command line with mistakes.
  if (problems.length > 0 && !values.help) throw new UsageError(problems.join('\n'));
  return Object.freeze({
    help: values.help ?? false,
    quick: values.quick ?? false,
    targets,
    skipConnections: values['skip-connections'] ?? false,
    external,
  });
}

function ensureStack(): void {
  // `up` starts only what is not running and never stops anything; we leave the stack up for others.
  const result = spawnSync(tsxBin, ['--conditions=@chat/source', `${repoRoot}tools/stack/src/cli.ts`, 'up'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('the local stack did not come up (pnpm stack up)');
}

function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    openFilesLimit: openFilesLimit(),
    loadAverage1mAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

class CpuMeter {
  private before: Record<string, number> = {};
  private startedAt = 0;
  constructor(private readonly processes: () => Record<string, number>) {}

  start(): void {
    this.before = this.read();
    this.startedAt = performance.now();
  }

  /** CPU percent of one core used by each process since `start`. */
  stop(): Record<string, number> {
    const after = this.read();
    const seconds = (performance.now() - this.startedAt) / 1000;
    return Object.fromEntries(
      Object.entries(after).map(([name, cpu]) => [
        name,
        Math.round(((cpu - (this.before[name] ?? cpu)) / seconds) * 100),
      ]),
    );
  }

  private read(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.processes()).map(([name, pid]) => {
        try {
          return [name, treeCpuSeconds(pid)];
        } catch {
          return [name, 0];
        }
      }),
    );
  }
}

interface RunContext {
  plan: BenchPlan;
  /** `bench-` and 6 random hex digits: every id this run creates starts with it. */
  runTag: string;
  outDir: string;
  probeDir: string;
  stack: Record<string, number>;
}

/** The load generator's id prefix for one target: the run tag plus the target's initial. */
const loadTag = (target: RunningTarget, context: RunContext) => `${context.runTag}${target.name.slice(0, 1)}`;

async function measureSweep(target: RunningTarget, context: RunContext): Promise<SweepReport> {
  const { plan } = context;
  const runTag = loadTag(target, context);
  let loadgenPid = 0;
  // An external deployment's processes are unknown (its database need not be our local stack): only what it told us.
  const stack = target.external ? {} : context.stack;
  const meter = new CpuMeter(() => ({ ...target.components, ...stack, loadgen: loadgenPid }));
  const steps: MeasuredStep[] = [];
  const result = (await runLoad(
    {
      kind: 'sweep',
      target: target.name,
      url: target.url,
      jwtSecret: target.jwtSecret,
      runTag,
      pairs: plan.pairs,
      steps: plan.rates.map((rate) => ({ rate, durationMs: plan.stepMs })),
      drainMs: plan.drainMs,
      p99BoundMs: plan.p99BoundMs,
      sourceAddresses: sourceAddressesFor(target.url, plan.sourceAddresses),
    },
    `${context.outDir}/work/${target.name}-sweep.json`,
    (event, pid) => {
      loadgenPid = pid;
      if (event.type === 'step-start') meter.start();
      if (event.type === 'step-end') {
        const step = { ...event.result, cpuPercent: meter.stop() };
        steps.push(step);
        const errors = Object.entries(step.errorsByCode).map(([code, count]) => `${code}:${count}`);
        log(
          `${target.name} ${step.rate}/s: acked ${step.ackedPerSecond}/s, ack p50 ${step.sendToAck.p50} p99 ${step.sendToAck.p99} ms, ` +
            `delivery p99 ${step.sendToDelivery.p99} ms${errors.length ? `, errors ${errors.join(' ')}` : ''} → ${step.passed ? 'pass' : 'FAIL'}`,
        );
      }
    },
    plan.rates.length * (plan.stepMs + plan.drainMs + 1000) + 90_000,
  )) as SweepResult;
  const storage = target.mongodbUri
    ? await verifyStored(target.mongodbUri, runTag, result.ackedMessages)
    : null;
  const stored = storage
    ? `stored lost ${storage.lost} duplicated ${storage.duplicated}`
    : `stored n/a (${target.external ? 'not checked: no --mongodb-uri' : 'no database'})`;
  log(
    `${target.name} exactly-once over ${result.delivery.acked} acked: ${stored}; ` +
      `delivered lost ${result.delivery.lostDeliveries} duplicated ${result.delivery.duplicateDeliveries}`,
  );
  return {
    target: target.name,
    steps,
    saturation: saturationOf(steps, plan.rates.at(-1) ?? 0),
    delivery: result.delivery,
    storage,
  };
}

/** The pid whose memory the ramp samples: the probed server process, or the external one given; null if none. */
function memoryPid(target: RunningTarget, probeDir: string): number | null {
  if (target.socketServerPid === null) return null;
  // An external process has no probe: RSS only.
  if (target.external) return target.socketServerPid;
  const probe = serverProbe(probeDir, target.socketServerPid);
  if (probe) return probe.pid;
  const tree = processTree(target.socketServerPid);
  const files = readdirSync(probeDir).join(', ');
  throw new Error(
    `no memory probe found for ${target.name} (process tree ${tree.join(', ')}; probes: ${files})`,
  );
}

async function measureConnections(target: RunningTarget, context: RunContext): Promise<ConnectionsReport> {
  const pid = memoryPid(target, context.probeDir);
  if (pid === null)
    log(
      `${target.name}: no pid (external, no --gateway-pid): memory is reported as n/a, the rest is measured`,
    );
  const sample = async () => {
    if (pid === null) return { rssBytes: null, heapUsedBytes: null };
    // Let the last handshakes settle, then ask the probe for a sample after a full collection: heap growth
    // is then what the connections retain, not when V8 last collected (RSS stays as the OS sees it).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    if (target.external) return { rssBytes: rssBytes(pid), heapUsedBytes: null };
    // Only the sample written right after this collection counts; none in time is reported as n/a.
    const request = (readProbe(context.probeDir, pid)?.gcRequests ?? 0) + 1;
    process.kill(pid, 'SIGUSR2');
    let probe = readProbe(context.probeDir, pid);
    for (let waited = 0; probe?.gcRequests !== request && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      probe = readProbe(context.probeDir, pid);
    }
    const heapUsedBytes = probe?.gcRequests === request ? probe.heapUsed : null;
    if (heapUsedBytes === null)
      log(`${target.name}: no heap sample after a collection in 10 s (reported n/a)`);
    return { rssBytes: rssBytes(pid), heapUsedBytes };
  };
  const idle = await sample();
  const memoryAt = new Map<number, Awaited<ReturnType<typeof sample>>>();
  const ceiling = Math.max(...context.plan.connectionLevels);
  const result = (await runLoad(
    {
      kind: 'connections',
      target: target.name,
      url: target.url,
      jwtSecret: target.jwtSecret,
      runTag: loadTag(target, context),
      levels: context.plan.connectionLevels,
      connectConcurrency: context.plan.connectConcurrency,
      sourceAddresses: sourceAddressesFor(target.url, context.plan.sourceAddresses),
    },
    `${context.outDir}/work/${target.name}-connections.json`,
    async (event) => {
      if (event.type !== 'level') return;
      const memory = await sample();
      memoryAt.set(event.connections, memory);
      const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
      log(
        `${target.name} holds ${event.connections} connections: RSS ${mib(memory.rssBytes)}, heap ${mib(memory.heapUsedBytes)}`,
      );
    },
    600_000,
  )) as ConnectionsResult;
  const levels: MeasuredLevel[] = result.levels.map((level) => ({
    ...level,
    rssBytes: memoryAt.get(level.connections)?.rssBytes ?? null,
    heapUsedBytes: memoryAt.get(level.connections)?.heapUsedBytes ?? null,
  }));
  const top = levels.at(-1);
  const perConnection = (grown: number | null | undefined, base: number | null) =>
    grown === null || grown === undefined || base === null || !top?.connections
      ? null
      : Math.round((grown - base) / top.connections);
  return {
    target: target.name,
    idle,
    levels,
    reached: result.reached,
    ceiling,
    perConnection: {
      rssBytes: perConnection(top?.rssBytes, idle.rssBytes),
      heapBytes: perConnection(top?.heapUsedBytes, idle.heapUsedBytes),
    },
    firstError: result.firstError,
    topMessageCheck: result.topMessageCheck,
    presence: result.topPresenceCheck,
  };
}

/** Ours from --gateway-url, or a target started here on the local stack (then `infra` is set). */
function openTarget(
  name: TargetName,
  context: RunContext,
  infra: Infra | null,
  external: ExternalGateway | null,
): Promise<RunningTarget> {
  if (name === 'ours' && external) return attachExternal(external, context.runTag);
  if (!infra) throw new Error(`${name} needs the local stack, which was not brought up`);
  return startTarget(name, {
    infra,
    runTag: context.runTag,
    probeDir: context.probeDir,
    logDir: `${context.outDir}/work`,
  });
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { external } = options;
  const startedAt = new Date();
  const plan = makePlan(options.quick ? 'quick' : 'full', openFilesLimit());
  // Against a running deployment the point is that deployment: baselines only when asked for.
  plan.sweepTargets = options.targets ?? (external ? ['ours'] : plan.sweepTargets);
  plan.connectionTargets = options.skipConnections
    ? []
    : plan.connectionTargets.filter((name) => plan.sweepTargets.includes(name));
  const outDir = `${repoRoot}bench-results/${startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')}`;
  const context: RunContext = {
    plan,
    runTag: `bench-${randomUUID().slice(0, 6)}`,
    outDir,
    probeDir: `${outDir}/work/probes`,
    stack: {},
  };
  log(
    `mode ${plan.mode}; run tag ${context.runTag}; connection ceiling ${connectionCeiling(openFilesLimit())} (open-files limit)`,
  );
  mkdirSync(context.probeDir, { recursive: true });

  const targets = [...new Set([...plan.sweepTargets, ...plan.connectionTargets])];
  let infra: Infra | null = null;
  if (targets.some((name) => !(name === 'ours' && external))) {
    ensureStack();
    const stackConfig = loadStackConfig();
    infra = stackUrls(stackConfig);
    context.stack = stackPids(stackConfig.stateDir);
    log('warming up Kafka and the database (8 s)');
    await warmUpStack(infra, context.runTag);
  }
  if (external) {
    log(`ours: the running deployment at ${external.url}; nothing of it is started or stopped`);
    if (external.gatewayPid === null)
      log(
        'ours: no --gateway-pid, so its CPU and memory are not measured (n/a); CPU columns: load generator',
      );
    if (external.mongodbUri === null)
      log('ours: no --mongodb-uri, so stored messages are not checked (n/a); deliveries still are');
  }
  const machineInfo = machine();

  const sweeps: SweepReport[] = [];
  const connections: ConnectionsReport[] = [];
  const failures: BenchReport['failures'] = [];
  for (const name of targets) {
    log(name === 'ours' && external ? 'checking ours (ready, accepts our tokens)' : `starting ${name}`);
    // One target failing (say, a server that does not start) is reported; the others still run.
    try {
      const target = await openTarget(name, context, infra, external);
      try {
        if (plan.sweepTargets.includes(name)) sweeps.push(await measureSweep(target, context));
        if (plan.connectionTargets.includes(name))
          connections.push(await measureConnections(target, context));
      } finally {
        await target.stop();
        if (target.name === 'direct-write' && target.mongodbUri) await dropDatabase(target.mongodbUri);
      }
    } catch (error) {
      log(`${name} failed: ${(error as Error).message}`);
      failures.push({ target: name, error: (error as Error).message.slice(0, 2000) });
    }
  }

  const { ratios, targets: checks } = compare(sweeps, connections);
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    plan,
    runTag: context.runTag,
    external: external && {
      gatewayUrl: external.url,
      gatewayPid: external.gatewayPid,
      database: external.mongodbUri && databaseOf(external.mongodbUri),
    },
    machine: machineInfo,
    sweeps,
    connections,
    ratios,
    targets: checks,
    failures,
  };
  writeFileSync(`${outDir}/report.json`, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = toMarkdown(report);
  writeFileSync(`${outDir}/summary.md`, markdown);
  writeFileSync(`${outDir}/chart.html`, toChartHtml(report));
  process.stdout.write(`${markdown}\nReport written to ${outDir}\n`);
  const broken = sweeps.some(
    (sweep) =>
      sweep.delivery.lostDeliveries + sweep.delivery.duplicateDeliveries > 0 ||
      (sweep.storage?.lost ?? 0) + (sweep.storage?.duplicated ?? 0) > 0,
  );
  if (failures.length > 0) process.exitCode = 1;
  if (broken) {
    log('exactly-once check FAILED: see the report');
    process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    for (const problem of error.message.split('\n')) console.error(`bench: ${problem}`);
    console.error('(pnpm bench --help lists the options)');
  } else console.error('bench failed:', error);
  process.exit(1);
});
