import type { LatencyBreakdown } from './breakdown.js';
import { Goals, percent } from './goals.js';
import { type GroupPhaseResult, type GroupScenarioOptions, groupMarkdown } from './group/report.js';
import type { BenchPlan } from './plan.js';
import type { ConnectionLevel, ConnectionsResult, DeliveryCheck, StepResult } from './protocol.js';
import type { TargetName } from './targets.js';
import type { StorageCheck } from './verify.js';

export interface MeasuredStep extends StepResult {
  /** CPU used by each process during the step (send window and drain), in percent of one core. */
  cpuPercent: Record<string, number>;
  /** The same CPU in milliseconds, for the cost per acked message. */
  cpuMs: Record<string, number>;
}

export interface SweepReport {
  target: TargetName;
  steps: MeasuredStep[];
  /** The highest passing step; null if even the first failed. */
  saturation: { rate: number; ackedPerSecond: number; p99: number; reachedTopOfLadder: boolean } | null;
  delivery: DeliveryCheck;
  storage: StorageCheck | null;
}

/** Memory figures are null when not measurable: an external deployment without `--gateway-pid`, or no probe. */
export interface MeasuredLevel extends ConnectionLevel {
  rssBytes: number | null;
  heapUsedBytes: number | null;
}

export interface ConnectionsReport {
  target: TargetName;
  idle: { rssBytes: number | null; heapUsedBytes: number | null };
  levels: MeasuredLevel[];
  reached: number;
  ceiling: number;
  perConnection: { rssBytes: number | null; heapBytes: number | null };
  firstError: string | null;
  topMessageCheck: ConnectionsResult['topMessageCheck'];
  presence: string;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

/** "ours" was an already running deployment (`--gateway-url`): what the bench could and could not see of it. */
export interface ExternalDeployment {
  gatewayUrl: string;
  /** From `--gateway-pid`: its CPU and RSS come from /proc. Null: no CPU or memory of the deployment measured. */
  gatewayPid: number | null;
  /** The database read back for the storage check (name only); null: storage not checked. */
  database: string | null;
}

/** The bench's private database: which one, and whether it fsyncs its journal per commit (`--db-sync`). */
export interface BenchDatabase {
  kind: string;
  syncOnCommit: boolean;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  plan: BenchPlan;
  /** The unique prefix (`bench-…`) of every user and client message id this run created. */
  runTag: string;
  external: ExternalDeployment | null;
  /** The database the bench started for ours and direct-write; null when it started none (external only, relays). */
  database: BenchDatabase | null;
  machine: Record<string, string | number>;
  /** Ours at light load, hop by hop (trace.ts); null when not measured (external, or not run). */
  breakdown: LatencyBreakdown | null;
  sweeps: SweepReport[];
  connections: ConnectionsReport[];
  ratios: Record<string, number | null>;
  targets: TargetCheck[];
  /** Targets that could not be measured, and why. */
  failures: Array<{ target: TargetName; error: string }>;
  /** The group scenario against ours (group/scenario.ts); null when ours was not measured. */
  group: { options: GroupScenarioOptions; phases: GroupPhaseResult[] } | null;
}

/** The passing steps below the first failing one: a step that passes after a failure does not count. */
export function saturationOf(steps: StepResult[], ladderTop: number): SweepReport['saturation'] {
  const firstFailure = steps.findIndex((step) => !step.passed);
  const passing = firstFailure === -1 ? steps : steps.slice(0, firstFailure);
  const best = passing.at(-1);
  if (!best) return null;
  return {
    rate: best.rate,
    ackedPerSecond: Math.max(...passing.map((step) => step.ackedPerSecond)),
    p99: best.sendToAck.p99,
    reachedTopOfLadder: best.rate === ladderTop,
  };
}

const ratio = (ours: number | undefined, theirs: number | undefined) =>
  ours === undefined || theirs === undefined || theirs === 0
    ? null
    : Math.round((ours / theirs) * 1000) / 1000;

const round1 = (value: number) => Math.round(value * 10) / 10;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${round1(value)}`;

/**
 * The light-load rung: the highest rung of the relay's ladder at or below `Goals.lightLoadVsRelay` of the
 * relay's highest passing rate (issue #9: "at 10% of the relay's saturation rate"). Null without a relay
 * saturation or below the first rung.
 */
export function lightLoadRate(sweeps: SweepReport[]): number | null {
  const relay = sweeps.find((sweep) => sweep.target === 'relay');
  const saturationRate = relay?.saturation?.rate;
  if (!relay || saturationRate === undefined) return null;
  const limit = saturationRate * Goals.lightLoadVsRelay;
  return (
    relay.steps
      .map((step) => step.rate)
      .filter((rate) => rate <= limit)
      .at(-1) ?? null
  );
}

/** CPU milliseconds per acked message of each process in one step, and their total; null without acks. */
export function cpuPerMessage(
  step: MeasuredStep,
): { perProcess: Record<string, number>; total: number } | null {
  if (step.acked === 0) return null;
  const perMessage = (ms: number) => Math.round((ms / step.acked) * 1000) / 1000;
  const perProcess = Object.fromEntries(
    Object.entries(step.cpuMs).map(([name, ms]) => [name, perMessage(ms)]),
  );
  return { perProcess, total: perMessage(Object.values(step.cpuMs).reduce((sum, ms) => sum + ms, 0)) };
}

export function compare(
  sweeps: SweepReport[],
  connections: ConnectionsReport[],
  plan: Pick<BenchPlan, 'costRate' | 'p99BoundMs'>,
): { ratios: BenchReport['ratios']; targets: TargetCheck[] } {
  const sweep = (name: TargetName) => sweeps.find((entry) => entry.target === name);
  const holding = (name: TargetName) => connections.find((entry) => entry.target === name);
  const ours = sweep('ours');
  const light = lightLoadRate(sweeps);
  const at = (name: TargetName, rate: number | null) => sweep(name)?.steps.find((step) => step.rate === rate);
  const ratios: BenchReport['ratios'] = { lightLoadRate: light };
  for (const baseline of ['relay', 'kafka-relay', 'direct-write'] as const) {
    ratios[`throughput/${baseline}`] = ratio(ours?.saturation?.rate, sweep(baseline)?.saturation?.rate);
    ratios[`ackP50@light/${baseline}`] = ratio(
      at('ours', light)?.sendToAck.p50,
      at(baseline, light)?.sendToAck.p50,
    );
    ratios[`ackP99@light/${baseline}`] = ratio(
      at('ours', light)?.sendToAck.p99,
      at(baseline, light)?.sendToAck.p99,
    );
    ratios[`deliveryP50@light/${baseline}`] = ratio(
      at('ours', light)?.sendToDelivery.p50,
      at(baseline, light)?.sendToDelivery.p50,
    );
  }
  const oursConnections = holding('ours');
  const relayConnections = holding('relay');
  ratios['connections/relay'] = ratio(oursConnections?.reached, relayConnections?.reached);
  ratios['rssPerConnection/relay'] = ratio(
    oursConnections?.perConnection.rssBytes ?? undefined,
    relayConnections?.perConnection.rssBytes ?? undefined,
  );
  ratios['heapPerConnection/relay'] = ratio(
    oursConnections?.perConnection.heapBytes ?? undefined,
    relayConnections?.perConnection.heapBytes ?? undefined,
  );

  const targets: TargetCheck[] = [];
  const bound = `every send acked, no errors, ack p99 <= ${plan.p99BoundMs} ms`;
  const throughputTarget = (baseline: 'relay' | 'direct-write', goal: number) => {
    const theirs = sweep(baseline)?.saturation;
    const value = ratio(ours?.saturation?.rate, theirs?.rate);
    const figure = (saturation: SweepReport['saturation'] | undefined) =>
      saturation ? `${saturation.rate} msg/s (${saturation.ackedPerSecond} acked/s)` : 'n/a';
    return {
      name: `throughput vs ${baseline}`,
      goal: `highest offered rate with ${bound}: >= ${goal}x the ${baseline}'s`,
      measured:
        `${figure(ours?.saturation)} vs ${figure(theirs)} = ${value ?? 'n/a'}x` +
        (theirs?.reachedTopOfLadder
          ? ` (${baseline} did not saturate within the ladder: its figure is a floor)`
          : ''),
      met: value === null ? null : value >= goal,
    };
  };
  targets.push(throughputTarget('relay', Goals.throughputVsRelay));
  const oursLight = at('ours', light);
  const relayLight = at('relay', light);
  const rung =
    light === null
      ? 'no light-load rung (no relay saturation, or 10% of it is below the first rung)'
      : `${light} msg/s, the rung at or below ${percent(Goals.lightLoadVsRelay)} of the relay's ${sweep('relay')?.saturation?.rate} msg/s`;
  // Ours failing below the rung cannot carry the light load: not met. Any other missing figure: not measured.
  const lastOfOurs = ours?.steps.at(-1);
  const failedBelow =
    light !== null && !oursLight && lastOfOurs !== undefined && !lastOfOurs.passed && lastOfOurs.rate < light;
  const oursMissing =
    light === null
      ? rung
      : failedBelow
        ? `ours failed at ${lastOfOurs?.rate} msg/s, below the light-load rung`
        : `no step of ours at ${light} msg/s`;
  const latencyTarget = (percentile: 'p50' | 'p99') => {
    const allowanceMs = Goals.ackAllowanceMs[percentile];
    const oursValue = oursLight?.sendToAck[percentile];
    const relayValue = relayLight?.sendToAck[percentile];
    const gap = oursValue !== undefined && relayValue !== undefined ? oursValue - relayValue : null;
    return {
      name: `latency ${percentile} at light load`,
      goal: `send-to-ack ${percentile} <= the relay's + ${allowanceMs} ms, at ${rung}`,
      measured:
        gap === null
          ? oursLight
            ? 'no relay step at the rung'
            : oursMissing
          : `${oursValue} vs ${relayValue} ms: ${signed(gap)} ms`,
      met: gap === null ? (failedBelow ? false : null) : gap <= allowanceMs,
    };
  };
  targets.push(latencyTarget('p50'), latencyTarget('p99'));
  const deliveryGap = oursLight ? oursLight.sendToDelivery.p50 - oursLight.sendToAck.p50 : null;
  targets.push({
    name: 'delivery after ack at light load',
    goal: `our send-to-delivery p50 <= our send-to-ack p50 + ${Goals.deliveryAfterAckMs} ms, at the light-load rung`,
    measured:
      oursLight && deliveryGap !== null
        ? `delivery p50 ${oursLight.sendToDelivery.p50} vs ack p50 ${oursLight.sendToAck.p50} ms: ${signed(deliveryGap)} ms`
        : oursMissing,
    met: deliveryGap === null ? (failedBelow ? false : null) : deliveryGap <= Goals.deliveryAfterAckMs,
  });
  targets.push(throughputTarget('direct-write', Goals.throughputVsDirectWrite));
  const costStep = at('ours', plan.costRate);
  const cost = costStep ? cpuPerMessage(costStep) : null;
  const { baseline: today, vsBaseline } = Goals.cost;
  const costLimit = Math.round(today.totalCpuMsPerMessage * vsBaseline * 1000) / 1000;
  targets.push({
    name: 'cost',
    goal:
      `CPU ms per acked message, all processes, at ${plan.costRate} msg/s: <= ${percent(vsBaseline)} of ` +
      `today's ${today.totalCpuMsPerMessage} ms (${today.measured}), i.e. <= ${costLimit} ms`,
    measured: cost
      ? `${cost.total} ms per message = ${ratio(cost.total, today.totalCpuMsPerMessage)}x today's`
      : `no step of ours at ${plan.costRate} msg/s${lastOfOurs && !lastOfOurs.passed ? ` (it failed at ${lastOfOurs.rate} msg/s)` : ''}`,
    met: cost === null ? null : cost.total <= costLimit,
  });
  const storage = ours?.storage;
  const missed = ours
    ? ours.delivery.lostDeliveries +
      ours.delivery.duplicateDeliveries +
      (storage?.lost ?? 0) +
      (storage?.duplicated ?? 0)
    : null;
  targets.push({
    name: 'exactly once',
    goal: 'ours: zero acked messages lost or duplicated, in the database and at the recipients',
    measured: ours
      ? `over ${ours.delivery.acked} acked: stored lost ${storage?.lost ?? 'n/a'}, duplicated ${storage?.duplicated ?? 'n/a'}; ` +
        `delivered lost ${ours.delivery.lostDeliveries}, duplicated ${ours.delivery.duplicateDeliveries}`
      : 'n/a',
    met: missed === null ? null : missed === 0,
  });
  const connectionsRatio = ratios['connections/relay'] ?? null;
  targets.push({
    name: 'idle connections',
    goal: `>= ${percent(Goals.connectionsVsRelay)} of what the bare relay holds`,
    measured:
      `${oursConnections?.reached ?? 'n/a'} vs ${relayConnections?.reached ?? 'n/a'} = ${connectionsRatio ?? 'n/a'}x` +
      ` (ramp ceiling ${relayConnections?.ceiling ?? 'n/a'}, set by the open-files limit)`,
    met: connectionsRatio === null ? null : connectionsRatio >= Goals.connectionsVsRelay,
  });
  // Retained heap after a full collection is what a connection costs; RSS growth also counts how far V8 grew
  // its heap during the ramp, which varied by 1.07-1.32x between identical runs. Both are shown.
  const memoryRatio = ratios['heapPerConnection/relay'] ?? null;
  targets.push({
    name: 'memory per connection',
    goal: `<= ${Goals.heapPerConnectionVsRelay}x the bare relay (heap retained per connection after a full GC)`,
    measured:
      `${kib(oursConnections?.perConnection.heapBytes)} vs ${kib(relayConnections?.perConnection.heapBytes)} = ${memoryRatio ?? 'n/a'}x` +
      ` (RSS growth: ${kib(oursConnections?.perConnection.rssBytes)} vs ${kib(relayConnections?.perConnection.rssBytes)} = ${ratios['rssPerConnection/relay'] ?? 'n/a'}x)`,
    met: memoryRatio === null ? null : memoryRatio <= Goals.heapPerConnectionVsRelay,
  });
  return { ratios, targets };
}

function kib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`;
}

const databaseKinds: Record<string, string> = { secantus: 'SecantusDB', ferretdb: 'FerretDB' };

/** The bench's database and its mode, in words: "SecantusDB, sync-on-commit off". */
export function databaseName(database: BenchDatabase): string {
  return `${databaseKinds[database.kind] ?? database.kind}, sync-on-commit ${database.syncOnCommit ? 'on' : 'off'}`;
}

/** One paragraph: which database ours and direct-write stored into, in which mode, and why that mode. */
function databaseNote(report: BenchReport): string {
  const database = report.database;
  if (!database)
    return report.external
      ? "Database: the deployment's own (the bench started none)."
      : 'Database: none started (no target here stores messages).';
  const why = database.syncOnCommit
    ? "with `--db-sync`: it fsyncs its journal for every document, like the local stack by default, so these figures include the stand-in's per-document fsync, which MongoDB does not pay (it group-commits: j:true costs a batch one flush)"
    : "without sync-on-commit (the default; `--db-sync` turns it on): MongoDB's j:true costs a batch one journal flush, while SecantusDB's per-document fsync would measure the stand-in, not our pipeline";
  return `Database: a private ${databaseName(database)}, started by the bench for ours and direct-write, ${why}.`;
}

/** CPU ms per acked message of each process at the cost rate, one column per target that has that step. */
function costTable(report: BenchReport): string[] {
  const rate = report.plan.costRate;
  const columns = report.sweeps.flatMap((sweep) => {
    const step = sweep.steps.find((entry) => entry.rate === rate);
    const cost = step && cpuPerMessage(step);
    return cost ? [{ target: sweep.target, cost }] : [];
  });
  if (columns.length === 0) return [`No target has a step at ${rate} msg/s.`, ''];
  const processes = [...new Set(columns.flatMap((column) => Object.keys(column.cost.perProcess)))];
  return [
    `| process | ${columns.map((column) => column.target).join(' | ')} |`,
    `|${' --- |'.repeat(columns.length + 1)}`,
    ...processes.map(
      (name) => `| ${name} | ${columns.map((column) => column.cost.perProcess[name] ?? '').join(' | ')} |`,
    ),
    `| **total** | ${columns.map((column) => `**${column.cost.total}**`).join(' | ')} |`,
    '',
  ];
}

function breakdownTable(breakdown: LatencyBreakdown): string[] {
  return [
    `${breakdown.pairs} pairs at ${breakdown.rate} msg/s: ${breakdown.sent} sent, ${breakdown.acked} acked, ${breakdown.traced} traced through both topics. ` +
      "Times are Kafka record timestamps (the producer's CreateTime), the persister's `received-at` and `stored-at` headers, and the clients' clocks, all on this machine.",
    '',
    '| hop | from → to | p50 ms | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...breakdown.hops.map(
      ({ hop, span, latency: l }) => `| ${hop} | ${span} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} |`,
    ),
    '',
  ];
}

const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT met');

/** What an external "ours" means for the figures below, in one paragraph. */
function externalNote(external: ExternalDeployment): string {
  const pid = external.gatewayPid;
  return [
    `**ours is an already running deployment** at ${external.gatewayUrl} (\`--gateway-url\`): the bench started and stopped none of it.`,
    pid === null
      ? 'CPU: not measured (no pids), the CPU columns are the load generator only.'
      : `CPU: its gateway (pid ${pid}) and the load generator; its persister and database are not measured.`,
    pid === null
      ? 'Memory per connection: n/a (no `--gateway-pid`).'
      : `Memory: RSS of pid ${pid}; heap n/a (no probe in that process).`,
    external.database === null
      ? 'Storage: not checked (no `--mongodb-uri`); delivery to the recipients is still checked.'
      : `Storage: checked in database \`${external.database}\`.`,
  ].join(' ');
}

export function toMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(
    `# Benchmark ${report.plan.mode} run, ${report.startedAt}${report.database ? ` (database: ${databaseName(report.database)})` : ''}`,
    '',
  );
  lines.push(
    `Machine: ${Object.entries(report.machine)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')}.`,
    '',
  );
  lines.push(`Run tag (prefix of every user and message id created): \`${report.runTag}\`.`, '');
  if (report.external) lines.push(externalNote(report.external), '');
  lines.push(databaseNote(report), '');
  lines.push(
    `Saturation bound: every message acked, no errors, send-to-ack p99 <= ${report.plan.p99BoundMs} ms. ` +
      `${report.plan.pairs} user pairs, ${report.plan.stepMs} ms per step, open loop; latencies from each message's scheduled send time. ` +
      `Ours: one gateway, ${report.plan.persisters} persister${report.plan.persisters === 1 ? '' : 's'}.`,
    '',
  );
  lines.push('## Targets', '', '| target | goal | measured | verdict |', '| --- | --- | --- | --- |');
  for (const target of report.targets) {
    lines.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${verdict(target.met)} |`);
  }
  lines.push(
    '',
    `## CPU milliseconds per acked message at ${report.plan.costRate} msg/s`,
    '',
    "CPU of each process (user + system, its whole process tree) during the step, send window and drain, divided by the step's acked messages.",
    '',
    ...costTable(report),
  );
  lines.push('## Latency breakdown of ours at light load', '');
  lines.push(
    ...(report.breakdown
      ? breakdownTable(report.breakdown)
      : ['Not measured (ours was not started by the bench).', '']),
  );
  lines.push('## Ratios of ours to the baselines', '', '| ratio | value |', '| --- | --- |');
  for (const [name, value] of Object.entries(report.ratios)) lines.push(`| ${name} | ${value ?? 'n/a'} |`);
  lines.push('', '## Message sweep', '');
  for (const sweep of report.sweeps) {
    const saturation = sweep.saturation
      ? `${sweep.saturation.rate} msg/s offered, ${sweep.saturation.ackedPerSecond} acked/s${sweep.saturation.reachedTopOfLadder ? ' (top of the ladder: not saturated)' : ''}`
      : 'none (first step failed)';
    lines.push(`### ${sweep.target}: saturation ${saturation}`, '');
    const components = Object.keys(sweep.steps[0]?.cpuPercent ?? {});
    lines.push(
      `| offered/s | acked/s | ack p50 | p90 | p99 | max | delivery p50 | p90 | p99 | max | gen lag p99 | errors | pass | ${components.map((name) => `CPU% ${name}`).join(' | ')} |`,
      `|${' --- |'.repeat(13 + components.length)}`,
    );
    for (const step of sweep.steps) {
      const errors = Object.entries(step.errorsByCode)
        .map(([code, count]) => `${code}:${count}`)
        .join(' ');
      const a = step.sendToAck;
      const d = step.sendToDelivery;
      lines.push(
        `| ${step.rate} | ${step.ackedPerSecond} | ${a.p50} | ${a.p90} | ${a.p99} | ${a.max} | ${d.p50} | ${d.p90} | ${d.p99} | ${d.max} | ${step.generatorLag.p99} | ${errors || 0} | ${step.passed ? 'yes' : 'no'} | ${components.map((name) => step.cpuPercent[name]).join(' | ')} |`,
      );
    }
    const storage = sweep.storage
      ? `stored: lost ${sweep.storage.lost}, duplicated ${sweep.storage.duplicated}, id mismatches ${sweep.storage.mismatchedIds}`
      : sweep.target === 'ours' && report.external
        ? 'stored: n/a (not checked: no --mongodb-uri)'
        : 'stored: not applicable (no database)';
    lines.push(
      '',
      `Exactly-once check over ${sweep.delivery.acked} acked messages: ${storage}; delivered: lost ${sweep.delivery.lostDeliveries}, duplicated ${sweep.delivery.duplicateDeliveries}.`,
      '',
    );
  }
  lines.push('## Idle connections', '');
  for (const holding of report.connections) {
    lines.push(
      `### ${holding.target}: ${holding.reached} connections (ceiling ${holding.ceiling})`,
      '',
      '| connections | connect/s | failed | RSS MiB | heap used MiB |',
      '| --- | --- | --- | --- | --- |',
      `| 0 (idle) | | | ${mib(holding.idle.rssBytes)} | ${mib(holding.idle.heapUsedBytes)} |`,
    );
    for (const level of holding.levels) {
      lines.push(
        `| ${level.connections} | ${level.connectPerSecond} | ${level.failedConnects} | ${mib(level.rssBytes)} | ${mib(level.heapUsedBytes)} |`,
      );
    }
    const check = holding.topMessageCheck;
    lines.push(
      '',
      `Per connection: RSS ${kib(holding.perConnection.rssBytes)}, heap ${kib(holding.perConnection.heapBytes)}. ` +
        `At the top: message acked ${check.acked} (${check.ackMs ?? 'n/a'} ms), delivered ${check.delivered}${check.error ? `, error ${check.error}` : ''}. ` +
        `Presence: ${holding.presence}.${holding.firstError ? ` First connect error: ${holding.firstError}.` : ''}`,
      '',
    );
  }
  if (report.group) {
    lines.push('## Group scenario (ours)', '', groupMarkdown(report.group.phases, report.group.options, 1));
  }
  for (const failure of report.failures) {
    lines.push(`**${failure.target} could not be measured:** ${failure.error.split('\n')[0]}`, '');
  }
  lines.push('Chart: [chart.html](chart.html). Every figure: [report.json](report.json).', '');
  return lines.join('\n');
}

function mib(bytes: number | null): string {
  return bytes === null ? 'n/a' : (bytes / 1024 / 1024).toFixed(1);
}
