/**
 * `pnpm bench [--quick] [--targets ours,relay,...] [--skip-connections]`: starts its own Kafka, schema registry
 * and database from the local stack's definitions (stopped when it ends, also on an error or Ctrl-C), then for
 * each target (our gateway and persister, and the baselines) runs the message sweep and the connection ramp from
 * a separate load generator process, and writes bench-results/<timestamp>/.
 *
 * `pnpm bench --gateway-url http://host:port [--jwt-secret S] [--mongodb-uri URI] [--gateway-pid N]` measures an
 * already running deployment as "ours" instead: nothing of it is started or stopped (see USAGE).
 *
 * This file orchestrates: options (options.ts), the bench's own Kafka, registry and database, each target in turn,
 * its measurements (measure.ts, and trace.ts for ours), and the report files.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@chat/harness';
import { loadStackConfig } from '@chat/stack';
import type { LatencyBreakdown } from './breakdown.js';
import { toChartHtml } from './chart.js';
import { groupScenarioDefaults, runGroupScenario } from './group/scenario.js';
import { startInfra } from './infra.js';
import { log } from './log.js';
import { measureConnections, measureSweep, type RunContext } from './measure.js';
import { type BenchOptions, databaseOf, readOptions, USAGE, UsageError } from './options.js';
import { connectionCeiling, ladderForOurs, makePlan } from './plan.js';
import { openFilesLimit } from './process-stats.js';
import {
  type BenchDatabase,
  type BenchReport,
  type ConnectionsReport,
  compare,
  databaseName,
  notShippedReasons,
  type SweepReport,
  toMarkdown,
} from './report.js';
import {
  attachExternal,
  type ExternalGateway,
  type Infra,
  type RunningTarget,
  startTarget,
  type TargetName,
} from './targets.js';
import { Teardown } from './teardown.js';
import { measureBreakdown } from './trace.js';
import { dropDatabase } from './verify.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

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
    persisters: context.plan.persisters,
    oursSettings: context.plan.oursSettings,
  });
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const teardown = new Teardown();
  teardown.exitOnSignals();
  try {
    await run(options, teardown);
  } finally {
    await teardown.runAll();
  }
}

async function run(options: BenchOptions, teardown: Teardown): Promise<void> {
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
  plan.persisters = options.persisters;
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
  const notShipped = notShippedReasons(plan, { kind: '', syncOnCommit: options.dbSync }, external !== null);
  if (notShipped.length > 0) log(`NOT the shipped configuration: ${notShipped.join('; ')}`);
  mkdirSync(context.probeDir, { recursive: true });

  const targets = [...new Set([...plan.sweepTargets, ...plan.connectionTargets])];
  let infra: Infra | null = null;
  let databaseInfo: BenchDatabase | null = null;
  if (targets.some((name) => !(name === 'ours' && external))) {
    const started = await startInfra(options.dbSync, teardown);
    infra = started.infra;
    context.stack = started.pids;
    databaseInfo = { kind: loadStackConfig().database, syncOnCommit: options.dbSync };
    log(`the bench's database is ${databaseName(databaseInfo)}`);
  }
  await runTargets(targets, context, infra, external, startedAt, databaseInfo, teardown);
}

async function runTargets(
  targets: TargetName[],
  context: RunContext,
  infra: Infra | null,
  external: ExternalGateway | null,
  startedAt: Date,
  databaseInfo: BenchDatabase | null,
  teardown: Teardown,
): Promise<void> {
  const { plan, outDir } = context;
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
  let breakdown: LatencyBreakdown | null = null;
  let group: BenchReport['group'] = null;
  for (const name of targets) {
    if (teardown.interrupted) return;
    log(name === 'ours' && external ? 'checking ours (ready, accepts our tokens)' : `starting ${name}`);
    // One target failing (say, a server that does not start) is reported; the others still run.
    try {
      const target = await openTarget(name, context, infra, external);
      const stopTarget = teardown.add(name, async () => {
        await target.stop();
        if (target.name === 'direct-write' && target.mongodbUri) await dropDatabase(target.mongodbUri);
      });
      try {
        if (plan.sweepTargets.includes(name)) {
          // The light-load probe first, on fresh topics, so its consumer reads little.
          if (infra && target.topicPrefix !== null)
            breakdown = await measureBreakdown(target, context, infra, target.topicPrefix);
          // Ours climbs to half the relay's highest passing rate (the throughput goal), measured just before.
          const relayRate = sweeps.find((sweep) => sweep.target === 'relay')?.saturation?.rate ?? null;
          const rates = name === 'ours' ? ladderForOurs(plan.rates, relayRate) : plan.rates;
          sweeps.push(await measureSweep(target, context, rates));
        }
        if (plan.connectionTargets.includes(name))
          connections.push(await measureConnections(target, context));
        if (name === 'ours') {
          // Groups exist only in ours: the baselines model the 1-1 design.
          const options =
            plan.mode === 'quick' ? { ...groupScenarioDefaults, messages: 60 } : groupScenarioDefaults;
          log(`ours: group scenario, ${options.members} members, ${options.messages} messages`);
          const users = Array.from({ length: options.members }, (_, i) => `${context.runTag}-group-${i}`);
          const phases = await runGroupScenario(
            [target.url],
            users,
            (userId) => mintToken(userId, { secret: target.jwtSecret }),
            options,
          );
          group = { options, phases };
        }
      } finally {
        await stopTarget();
      }
    } catch (error) {
      log(`${name} failed: ${(error as Error).message}`);
      failures.push({ target: name, error: (error as Error).message.slice(0, 2000) });
    }
  }

  if (teardown.interrupted) return;
  const { ratios, targets: checks } = compare(sweeps, connections, plan);
  const deployment = external && {
    gatewayUrl: external.url,
    gatewayPid: external.gatewayPid,
    database: external.mongodbUri && databaseOf(external.mongodbUri),
  };
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    plan,
    notShipped: notShippedReasons(plan, databaseInfo, external !== null),
    runTag: context.runTag,
    external: deployment,
    database: databaseInfo,
    machine: machineInfo,
    breakdown,
    sweeps,
    connections,
    ratios,
    targets: checks,
    failures,
    group,
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
