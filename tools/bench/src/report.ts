import type { LatencyBreakdown } from './breakdown.js';
import { Goals } from './goals.js';
import { type GroupPhaseResult, type GroupScenarioOptions, groupMarkdown } from './group/report.js';
import { type BenchPlan, SHIPPED_SEND_RATE_PER_USER, sendsPerUser } from './plan.js';
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
  /** The load before the first step (not judged), with its CPU; null when there was none. */
  warmUp: MeasuredStep | null;
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

/** The bench's private database: which one, and whether it fsyncs its journal per commit (`--no-db-sync`). */
export interface BenchDatabase {
  kind: string;
  syncOnCommit: boolean;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  plan: BenchPlan;
  /**
   * How this run differs from the shipped measurement (notShippedReasons), one reason each; empty when it is
   * the shipped one. The report says so in its title and above everything else.
   */
  notShipped: string[];
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

/**
 * Why a run is not the shipped measurement (what `npm start` runs, durable, sustained steps): one reason per
 * option that changes it. Its figures may check the harness or compare changes, never stand as headline figures.
 */
export function notShippedReasons(
  plan: Pick<BenchPlan, 'mode' | 'persisters' | 'warmUp' | 'stepMs'>,
  database: BenchDatabase | null,
  external: boolean,
): string[] {
  const reasons: string[] = [];
  if (plan.mode === 'quick')
    reasons.push(
      `\`--quick\`: a ${plan.warmUp.durationMs / 1000} s warm-up and ${plan.stepMs / 1000} s steps, too short for queues and a cold broker to show`,
    );
  if (database && !database.syncOnCommit)
    reasons.push('`--no-db-sync`: the database does not sync its journal on commit, so acks are not durable');
  if (plan.persisters !== 1)
    reasons.push(`\`--persisters ${plan.persisters}\`: \`npm start\` runs one persister`);
  if (external)
    reasons.push(
      'ours is a running deployment (`--gateway-url`): its configuration is its own, not `npm start`’s',
    );
  return reasons;
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

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const ratio = (ours: number | undefined, theirs: number | undefined) =>
  ours === undefined || theirs === undefined || theirs === 0 ? null : round(ours / theirs, 3);

const signed = (value: number) => `${value >= 0 ? '+' : ''}${round(value, 1)}`;
/** Milliseconds in a sentence: a tenth is enough (the tables keep the microseconds). */
const ms = (value: number) => round(value, 1);

/** CPU milliseconds per acked message of each process in one step, and their total; null without acks. */
export function cpuPerMessage(
  step: MeasuredStep,
): { perProcess: Record<string, number>; total: number } | null {
  if (step.acked === 0) return null;
  const perMessage = (ms: number) => round(ms / step.acked, 3);
  const perProcess = Object.fromEntries(
    Object.entries(step.cpuMs).map(([name, ms]) => [name, perMessage(ms)]),
  );
  return { perProcess, total: perMessage(Object.values(step.cpuMs).reduce((sum, ms) => sum + ms, 0)) };
}

const errorCount = (step: StepResult) => Object.values(step.errorsByCode).reduce((sum, n) => sum + n, 0);

/** A failed step in words: its rate, p99, and what was not acked or refused. */
function failureOf(step: StepResult): string {
  const unacked = step.sent - step.acked;
  const errors = Object.entries(step.errorsByCode).map(([code, count]) => `${code}:${count}`);
  return (
    `${step.rate} msg/s failed (ack p99 ${ms(step.sendToAck.p99)} ms` +
    `${unacked > 0 ? `, ${unacked} of ${step.sent} not acked` : ''}` +
    `${errors.length > 0 ? `, errors ${errors.join(' ')}` : ''})`
  );
}

type Plan = Pick<BenchPlan, 'p99BoundMs' | 'costRates' | 'lightLoadRate'>;

/** Ours against the relay on issue 18's targets (goals.ts), and the ratios to every baseline measured. */
export function compare(
  sweeps: SweepReport[],
  connections: ConnectionsReport[],
  plan: Plan,
): { ratios: BenchReport['ratios']; targets: TargetCheck[] } {
  const sweep = (name: TargetName) => sweeps.find((entry) => entry.target === name);
  const at = (name: TargetName, rate: number) => sweep(name)?.steps.find((step) => step.rate === rate);
  const cost = (name: TargetName, rate: number) => {
    const step = at(name, rate);
    return step ? cpuPerMessage(step) : null;
  };
  const light = plan.lightLoadRate;
  const ratios: BenchReport['ratios'] = {};
  const baselines = (['relay', 'kafka-relay', 'direct-write'] as const).filter((name) => sweep(name));
  const ours = sweep('ours');
  for (const baseline of ours ? baselines : []) {
    ratios[`throughput/${baseline}`] = ratio(ours?.saturation?.rate ?? 0, sweep(baseline)?.saturation?.rate);
    for (const percentile of ['p50', 'p99'] as const)
      ratios[`ack${percentile.toUpperCase()}@${light}/${baseline}`] = ratio(
        at('ours', light)?.sendToAck[percentile],
        at(baseline, light)?.sendToAck[percentile],
      );
    for (const rate of plan.costRates)
      ratios[`cpuPerMessage@${rate}/${baseline}`] = ratio(
        cost('ours', rate)?.total,
        cost(baseline, rate)?.total,
      );
  }
  const holding = (name: TargetName) => connections.find((entry) => entry.target === name);
  const [oursHeld, relayHeld] = [holding('ours'), holding('relay')];
  if (oursHeld && relayHeld) {
    ratios['connections/relay'] = ratio(oursHeld.reached, relayHeld.reached);
    ratios['rssPerConnection/relay'] = ratio(
      oursHeld.perConnection.rssBytes ?? undefined,
      relayHeld.perConnection.rssBytes ?? undefined,
    );
    ratios['heapPerConnection/relay'] = ratio(
      oursHeld.perConnection.heapBytes ?? undefined,
      relayHeld.perConnection.heapBytes ?? undefined,
    );
  }
  return {
    ratios,
    targets: [
      throughputTarget(ours, sweep('relay'), plan),
      latencyTarget('p50', at('ours', light), at('relay', light), light),
      latencyTarget('p99', at('ours', light), at('relay', light), light),
      ...plan.costRates.map((rate) => costTarget(rate, cost('ours', rate), cost('relay', rate))),
      ...plan.costRates.map((rate) => kafkaTarget(rate, cost('ours', rate), cost('relay', rate))),
      exactlyOnceTarget(ours),
    ],
  };
}

/** 1. Ours' highest passing rate against half the relay's (the relay's capped by its ladder). */
function throughputTarget(
  ours: SweepReport | undefined,
  relay: SweepReport | undefined,
  plan: Plan,
): TargetCheck {
  const relayFigure = relay?.saturation;
  const needed = relayFigure ? Math.round(relayFigure.rate * Goals.throughputVsRelay) : null;
  const figure = (saturation: NonNullable<SweepReport['saturation']>) =>
    `${saturation.rate} msg/s (${saturation.ackedPerSecond} acked/s, p99 ${ms(saturation.p99)} ms)`;
  const firstFailure = ours?.steps.find((step) => !step.passed);
  const oursRate = ours ? (ours.saturation?.rate ?? 0) : null;
  const oursFigure = !ours?.saturation
    ? `ours passed no step${firstFailure ? `: ${failureOf(firstFailure)}` : ''}`
    : `ours ${figure(ours.saturation)}${firstFailure ? `, then ${failureOf(firstFailure)}` : ''}`;
  const measured = !ours
    ? 'ours not measured'
    : !relay
      ? 'no relay in this run'
      : !relayFigure
        ? 'the relay passed no step'
        : `${oursFigure}; relay ${figure(relayFigure)}` +
          `${relayFigure.reachedTopOfLadder ? ', its top step: that is its figure' : ''}; ` +
          `ours needs ${needed} msg/s: ${ratio(oursRate ?? 0, relayFigure.rate)}x the relay`;
  return {
    name: '1. throughput',
    goal:
      `highest rate passed (every send acked, no errors, ack p99 <= ${plan.p99BoundMs} ms) >= ` +
      `${Goals.throughputVsRelay}x the relay's, whose ladder stops at its top step`,
    measured,
    met: oursRate === null || needed === null ? null : oursRate >= needed,
  };
}

/** 2. At the light-load rate: ours' ack percentile within its allowance over the relay's, every send acked. */
function latencyTarget(
  percentile: 'p50' | 'p99',
  ours: MeasuredStep | undefined,
  relay: MeasuredStep | undefined,
  rate: number,
): TargetCheck {
  const allowanceMs = Goals.lightLoad.ackAllowanceMs[percentile];
  const check = {
    name: `2. light load ${percentile}`,
    goal: `at ${rate} msg/s, send-to-ack ${percentile} <= the relay's + ${allowanceMs} ms, every send acked`,
  };
  if (!ours || !relay)
    return { ...check, measured: `no step of ${ours ? 'the relay' : 'ours'} at ${rate} msg/s`, met: null };
  const gap = ours.sendToAck[percentile] - relay.sendToAck[percentile];
  const missing = ours.sent - ours.acked;
  return {
    ...check,
    measured:
      `${ms(ours.sendToAck[percentile])} vs ${ms(relay.sendToAck[percentile])} ms: ${signed(gap)} ms` +
      (missing > 0 || errorCount(ours) > 0 ? `; ${failureOf(ours)}` : ''),
    met: missing === 0 && errorCount(ours) === 0 && gap <= allowanceMs,
  };
}

type Cost = ReturnType<typeof cpuPerMessage>;

/** 3. CPU per acked message, all processes, against the relay's in the same sitting. */
function costTarget(rate: number, ours: Cost, relay: Cost): TargetCheck {
  const check = {
    name: `3. cost at ${rate} msg/s`,
    goal:
      `CPU ms per acked message at ${rate} msg/s, all processes (load generator included): ` +
      `<= ${Goals.cost.vsRelayTotal}x the relay's`,
  };
  if (!ours || !relay)
    return {
      ...check,
      measured: `no acked step of ${ours ? 'the relay' : 'ours'} at ${rate} msg/s`,
      met: null,
    };
  if (ours.perProcess.kafka === undefined)
    return { ...check, measured: `${ours.total} ms: not all of ours' processes were measured`, met: null };
  const limit = round(relay.total * Goals.cost.vsRelayTotal, 3);
  return {
    ...check,
    measured: `${ours.total} vs ${relay.total} ms: ${ratio(ours.total, relay.total)}x (limit ${limit} ms)`,
    met: ours.total <= limit,
  };
}

/** 3. The Kafka broker's CPU per acked message of ours; the relay's step shows its idle share. */
function kafkaTarget(rate: number, ours: Cost, relay: Cost): TargetCheck {
  const kafka = ours?.perProcess.kafka;
  const idle = relay?.perProcess.kafka;
  return {
    name: `3. Kafka at ${rate} msg/s`,
    goal: `the Kafka broker's CPU at ${rate} msg/s: <= ${Goals.cost.kafkaMsPerMessage} ms per acked message`,
    measured:
      kafka === undefined
        ? `no broker figure of ours at ${rate} msg/s`
        : `${kafka} ms${idle === undefined ? '' : ` (in the relay's step, with no traffic of its own: ${idle} ms)`}`,
    met: kafka === undefined ? null : kafka <= Goals.cost.kafkaMsPerMessage,
  };
}

/** 4. Every acked message of ours stored once and delivered once. */
function exactlyOnceTarget(ours: SweepReport | undefined): TargetCheck {
  const storage = ours?.storage;
  const missed = ours
    ? ours.delivery.lostDeliveries +
      ours.delivery.duplicateDeliveries +
      (storage?.lost ?? 0) +
      (storage?.duplicated ?? 0)
    : null;
  return {
    name: '4. nothing lost',
    goal: 'ours: 0 acked messages lost or duplicated, in the database and at the recipients',
    measured: ours
      ? `over ${ours.delivery.acked} acked: stored lost ${storage?.lost ?? 'n/a'}, duplicated ${storage?.duplicated ?? 'n/a'}; ` +
        `delivered lost ${ours.delivery.lostDeliveries}, duplicated ${ours.delivery.duplicateDeliveries}`
      : 'n/a',
    met: missed === null ? null : missed === 0,
  };
}

function kib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`;
}

const databaseKinds: Record<string, string> = { secantus: 'SecantusDB', ferretdb: 'FerretDB' };

/** The bench's database and its mode, in words: "SecantusDB, sync-on-commit off". */
export function databaseName(database: BenchDatabase): string {
  return `${databaseKinds[database.kind] ?? database.kind}, sync-on-commit ${database.syncOnCommit ? 'on' : 'off'}`;
}

/** One paragraph: the Kafka, registry and database the targets used, and the database's mode. */
function infraNote(report: BenchReport): string {
  const database = report.database;
  if (!database)
    return report.external
      ? "Kafka, registry, database: the deployment's own (the bench started none)."
      : 'Kafka, registry, database: none started (no target here needs them).';
  const mode = database.syncOnCommit
    ? 'as the local stack runs it for `npm start`: it syncs its journal at every commit, so an ack means stored durably'
    : 'with `--no-db-sync`: NOT durable (SecantusDB then ignores j:true), not what ships';
  return (
    "Kafka, schema registry, database: the bench's own, from the local stack's definitions (its settings), on free " +
    "ports with fresh data, stopped at the end: their CPU is the run's alone. " +
    `Database: ${databaseName(database)}, ${mode}.`
  );
}

/** Ours' configuration and the load, in one paragraph. */
function setupNote(report: BenchReport): string {
  const { plan } = report;
  const top = Math.max(...plan.rates);
  const settings = Object.entries(plan.oursSettings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return (
    `Ours: one gateway and ${plan.persisters === 1 ? 'one persister' : `${plan.persisters} persisters`}, with \`npm start\`'s settings (${settings}; ` +
    "the gateway's limits at their defaults). " +
    `Load: ${plan.pairs} user pairs (${plan.pairs * 2} sockets), open loop, latencies from each message's scheduled send time; ` +
    `each user sends at most ${sendsPerUser(top, plan.pairs)} msg/s (at ${top} msg/s), under the gateway's ${SHIPPED_SEND_RATE_PER_USER} a second. ` +
    `Warm-up: ${plan.warmUp.durationMs / 1000} s at ${plan.warmUp.rate} msg/s, then ${plan.stepMs / 1000} s steps, each followed by up to ${plan.drainMs / 1000} s for its acks and deliveries. ` +
    `A step passes when every message was acked, with no error, and send-to-ack p99 <= ${plan.p99BoundMs} ms. ` +
    `The relay's ladder stops at ${top} msg/s; ours' at the relay's highest passing rate, with half of it added (the rate ours must pass); ` +
    `each stops after its first failing step from ${Math.max(plan.lightLoadRate, ...plan.costRates)} msg/s on (below it, the rates the goals name are all measured). ` +
    `CPU: each process's whole tree, user + system, over the step and its drain.`
  );
}

/** CPU ms per acked message of each process at one rate, one column per target that has that step. */
function costTable(report: BenchReport, rate: number): string[] {
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
  const shipped = report.notShipped.length === 0;
  lines.push(
    `# Benchmark, ${shipped ? 'the shipped configuration' : 'NOT the shipped configuration'}, ${report.startedAt}`,
    '',
  );
  if (!shipped)
    lines.push(
      `> **Not the shipped configuration.** ${report.notShipped.join('; ')}. These figures check the harness or ` +
        'compare changes within one sitting; they are not headline figures. `pnpm bench` without these options ' +
        'measures what ships.',
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
  lines.push(infraNote(report), '', setupNote(report), '');
  lines.push(
    shipped
      ? '## Targets (issue 18)'
      : '## Targets (issue 18), indicative only: not the shipped configuration',
    '',
    '| target | goal | measured | verdict |',
    '| --- | --- | --- | --- |',
  );
  for (const target of report.targets) {
    lines.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${verdict(target.met)} |`);
  }
  lines.push('');
  for (const rate of report.plan.costRates)
    lines.push(
      `## CPU milliseconds per acked message at ${rate} msg/s`,
      '',
      "CPU of each process (user + system, its whole process tree) during the step, send window and drain, divided by the step's acked messages.",
      '',
      ...costTable(report, rate),
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
      ? `${sweep.saturation.rate} msg/s offered, ${sweep.saturation.ackedPerSecond} acked/s${sweep.saturation.reachedTopOfLadder ? ' (the top of its ladder)' : ''}`
      : 'none (its first step failed)';
    lines.push(`### ${sweep.target}: highest passing rate ${saturation}`, '');
    const components = Object.keys(sweep.steps[0]?.cpuPercent ?? sweep.warmUp?.cpuPercent ?? {});
    lines.push(
      `| offered/s | acked/s | ack p50 | p90 | p99 | max | delivery p50 | p90 | p99 | max | gen lag p99 | errors | pass | ${components.map((name) => `CPU% ${name}`).join(' | ')} |`,
      `|${' --- |'.repeat(13 + components.length)}`,
    );
    const row = (rate: string, step: MeasuredStep, pass: string) => {
      const errors = Object.entries(step.errorsByCode)
        .map(([code, count]) => `${code}:${count}`)
        .join(' ');
      const a = step.sendToAck;
      const d = step.sendToDelivery;
      return `| ${rate} | ${step.ackedPerSecond} | ${a.p50} | ${a.p90} | ${a.p99} | ${a.max} | ${d.p50} | ${d.p90} | ${d.p99} | ${d.max} | ${step.generatorLag.p99} | ${errors || 0} | ${pass} | ${components.map((name) => step.cpuPercent[name]).join(' | ')} |`;
    };
    if (sweep.warmUp)
      lines.push(
        row(`${sweep.warmUp.rate} (warm-up, ${sweep.warmUp.durationMs / 1000} s)`, sweep.warmUp, '-'),
      );
    for (const step of sweep.steps) lines.push(row(String(step.rate), step, step.passed ? 'yes' : 'no'));
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
  if (report.connections.length > 0)
    lines.push(
      '## Idle connections',
      '',
      "Measured, not judged (issue 18's targets do not cover them); in the same server process, right after its sweep.",
      '',
    );
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
