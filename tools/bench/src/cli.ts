/**
 * `pnpm bench [--quick] [--targets ours,relay,...] [--skip-connections]`: starts the local stack if needed,
 * then for each target (our gateway and persister, and the baselines) runs the message sweep and the
 * connection ramp from a separate load generator process, and writes bench-results/<timestamp>/.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadStackConfig, stackUrls } from '@chat/stack';
import { toChartHtml } from './chart.js';
import { type BenchPlan, connectionCeiling, makePlan } from './plan.js';
import {
  openFilesLimit,
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
import { JWT_SECRET, type RunningTarget, startTarget, type TargetName, tsxBin } from './targets.js';
import { dropDatabase, verifyStored } from './verify.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

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
  runTag: string;
  outDir: string;
  probeDir: string;
  stack: Record<string, number>;
}

async function measureSweep(target: RunningTarget, context: RunContext): Promise<SweepReport> {
  const { plan } = context;
  let loadgenPid = 0;
  const meter = new CpuMeter(() => ({ ...target.components, ...context.stack, loadgen: loadgenPid }));
  const steps: MeasuredStep[] = [];
  const result = (await runLoad(
    {
      kind: 'sweep',
      target: target.name,
      url: target.url,
      jwtSecret: JWT_SECRET,
      runTag: `${context.runTag}${target.name.slice(0, 1)}`,
      pairs: plan.pairs,
      steps: plan.rates.map((rate) => ({ rate, durationMs: plan.stepMs })),
      drainMs: plan.drainMs,
      p99BoundMs: plan.p99BoundMs,
      sourceAddresses: plan.sourceAddresses,
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
  const storage = target.mongodbUri ? await verifyStored(target.mongodbUri, result.ackedMessages) : null;
  log(
    `${target.name} exactly-once over ${result.delivery.acked} acked: stored lost ${storage?.lost ?? 'n/a'} duplicated ${storage?.duplicated ?? 'n/a'}; ` +
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

async function measureConnections(target: RunningTarget, context: RunContext): Promise<ConnectionsReport> {
  const probe = serverProbe(context.probeDir, target.socketServerPid);
  if (!probe) throw new Error(`no memory probe found for ${target.name}`);
  const sample = async () => {
    // Let the last handshakes' garbage go and the probe write a fresh sample.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return {
      rssBytes: rssBytes(probe.pid),
      heapUsedBytes: readProbe(context.probeDir, probe.pid)?.heapUsed ?? null,
    };
  };
  const idle = await sample();
  const memoryAt = new Map<number, Awaited<ReturnType<typeof sample>>>();
  const ceiling = Math.max(...context.plan.connectionLevels);
  const result = (await runLoad(
    {
      kind: 'connections',
      target: target.name,
      url: target.url,
      jwtSecret: JWT_SECRET,
      runTag: `${context.runTag}${target.name.slice(0, 1)}`,
      levels: context.plan.connectionLevels,
      connectConcurrency: context.plan.connectConcurrency,
      sourceAddresses: context.plan.sourceAddresses,
    },
    `${context.outDir}/work/${target.name}-connections.json`,
    async (event) => {
      if (event.type !== 'level') return;
      const memory = await sample();
      memoryAt.set(event.connections, memory);
      log(
        `${target.name} holds ${event.connections} connections: RSS ${(memory.rssBytes / 2 ** 20).toFixed(0)} MiB, heap ${((memory.heapUsedBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`,
      );
    },
    600_000,
  )) as ConnectionsResult;
  const levels: MeasuredLevel[] = result.levels.map((level) => ({
    ...level,
    rssBytes: memoryAt.get(level.connections)?.rssBytes ?? 0,
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
      rssBytes: perConnection(top?.rssBytes, idle.rssBytes) ?? 0,
      heapBytes: perConnection(top?.heapUsedBytes, idle.heapUsedBytes),
    },
    firstError: result.firstError,
    topMessageCheck: result.topMessageCheck,
    presence: result.topPresenceCheck,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      targets: { type: 'string' },
      'skip-connections': { type: 'boolean', default: false },
    },
  });
  const startedAt = new Date();
  const plan = makePlan(values.quick ? 'quick' : 'full', openFilesLimit());
  if (values.targets) plan.sweepTargets = values.targets.split(',') as TargetName[];
  if (values['skip-connections']) plan.connectionTargets = [];
  log(`mode ${plan.mode}; connection ceiling ${connectionCeiling(openFilesLimit())} (open-files limit)`);
  const outDir = `${repoRoot}bench-results/${startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')}`;
  const context: RunContext = {
    plan,
    runTag: randomUUID().slice(0, 6),
    outDir,
    probeDir: `${outDir}/work/probes`,
    stack: {},
  };
  mkdirSync(context.probeDir, { recursive: true });

  ensureStack();
  const stackConfig = loadStackConfig();
  const urls = stackUrls(stackConfig);
  context.stack = stackPids(stackConfig.stateDir);
  const machineInfo = machine();

  const sweeps: SweepReport[] = [];
  const connections: ConnectionsReport[] = [];
  const failures: BenchReport['failures'] = [];
  const targets = [...new Set([...plan.sweepTargets, ...plan.connectionTargets])];
  for (const name of targets) {
    log(`starting ${name}`);
    // One target failing (say, a server that does not start) is reported; the others still run.
    try {
      const target = await startTarget(name, {
        infra: urls,
        runTag: context.runTag,
        probeDir: context.probeDir,
        logDir: `${outDir}/work`,
      });
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
  console.error('bench failed:', error);
  process.exit(1);
});
