/**
 * One target's two scenarios, measured: the message sweep (with CPU per process and the exactly-once check)
 * and the idle-connection ramp (with memory sampled from the server's probe after a full collection).
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sourceAddressesFor } from './client.js';
import { log } from './log.js';
import type { BenchPlan } from './plan.js';
import { processTree, readProbe, rssBytes, serverProbe, treeCpuSeconds } from './process-stats.js';
import type { ConnectionsResult, SweepResult } from './protocol.js';
import {
  type ConnectionsReport,
  type MeasuredLevel,
  type MeasuredStep,
  type SweepReport,
  saturationOf,
} from './report.js';
import { runLoad } from './run-load.js';
import type { RunningTarget } from './targets.js';
import { verifyStored } from './verify.js';

export class CpuMeter {
  private before: Record<string, number> = {};
  private startedAt = 0;
  constructor(private readonly processes: () => Record<string, number>) {}

  start(): void {
    this.before = this.read();
    this.startedAt = performance.now();
  }

  /** CPU used by each process since `start`: in percent of one core, and in milliseconds. */
  stop(): { cpuPercent: Record<string, number>; cpuMs: Record<string, number> } {
    const after = this.read();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const used = Object.entries(after).map(
      ([name, cpu]) => [name, cpu - (this.before[name] ?? cpu)] as const,
    );
    return {
      cpuPercent: Object.fromEntries(used.map(([name, cpu]) => [name, Math.round((cpu / seconds) * 100)])),
      cpuMs: Object.fromEntries(used.map(([name, cpu]) => [name, Math.round(cpu * 1000)])),
    };
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

export interface RunContext {
  plan: BenchPlan;
  /** `bench-` and 6 random hex digits: every id this run creates starts with it. */
  runTag: string;
  outDir: string;
  probeDir: string;
  stack: Record<string, number>;
}

/** The load generator's id prefix for one target: the run tag plus the target's initial. */
const loadTag = (target: RunningTarget, context: RunContext) => `${context.runTag}${target.name.slice(0, 1)}`;

/** The warm-up, then one step per rate of `rates` (the plan's ladder, or ladderForOurs of it for ours). */
export async function measureSweep(
  target: RunningTarget,
  context: RunContext,
  rates: number[],
): Promise<SweepReport> {
  const { plan } = context;
  const runTag = loadTag(target, context);
  let loadgenPid = 0;
  // An external deployment's processes are unknown (its database need not be our local stack): only what it told us.
  const stack = target.external ? {} : context.stack;
  const meter = new CpuMeter(() => ({ ...target.components, ...stack, loadgen: loadgenPid }));
  const steps: MeasuredStep[] = [];
  let warmUp: MeasuredStep | null = null;
  log(
    `${target.name}: ${plan.pairs * 2} sockets; warm-up ${plan.warmUp.durationMs / 1000} s at ${plan.warmUp.rate} msg/s, ` +
      `then ${plan.stepMs / 1000} s steps at ${rates.join(', ')} msg/s`,
  );
  const result = (await runLoad(
    {
      kind: 'sweep',
      target: target.name,
      url: target.url,
      jwtSecret: target.jwtSecret,
      runTag,
      pairs: plan.pairs,
      warmUp: plan.warmUp,
      steps: rates.map((rate) => ({ rate, durationMs: plan.stepMs })),
      drainMs: plan.drainMs,
      p99BoundMs: plan.p99BoundMs,
      runThroughRate: Math.max(plan.lightLoadRate, ...plan.costRates),
      sourceAddresses: sourceAddressesFor(target.url, plan.sourceAddresses),
      timeline: false,
    },
    `${context.outDir}/work/${target.name}-sweep.json`,
    (event, pid) => {
      loadgenPid = pid;
      if (event.type === 'step-start') meter.start();
      if (event.type === 'step-end') {
        const step = { ...event.result, ...meter.stop() };
        if (event.index < 0) warmUp = step;
        else steps.push(step);
        const errors = Object.entries(step.errorsByCode).map(([code, count]) => `${code}:${count}`);
        log(
          `${target.name} ${event.index < 0 ? 'warm-up ' : ''}${step.rate}/s: acked ${step.ackedPerSecond}/s, ack p50 ${step.sendToAck.p50} p99 ${step.sendToAck.p99} ms, ` +
            `delivery p99 ${step.sendToDelivery.p99} ms${errors.length ? `, errors ${errors.join(' ')}` : ''} → ${step.passed ? 'pass' : 'FAIL'}`,
        );
      }
    },
    plan.warmUp.durationMs + (rates.length + 1) * (plan.stepMs + plan.drainMs + 1000) + 90_000,
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
    warmUp,
    steps,
    saturation: saturationOf(steps, rates.at(-1) ?? 0),
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

export async function measureConnections(
  target: RunningTarget,
  context: RunContext,
): Promise<ConnectionsReport> {
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
