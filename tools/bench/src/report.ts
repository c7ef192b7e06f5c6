import { Goals, percent } from './goals.js';
import type { BenchPlan } from './plan.js';
import type { ConnectionLevel, ConnectionsResult, DeliveryCheck, StepResult } from './protocol.js';
import type { TargetName } from './targets.js';
import type { StorageCheck } from './verify.js';

export interface MeasuredStep extends StepResult {
  /** CPU used by each process during the step (send window and drain), in percent of one core. */
  cpuPercent: Record<string, number>;
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

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  plan: BenchPlan;
  /** The unique prefix (`bench-…`) of every user and client message id this run created. */
  runTag: string;
  external: ExternalDeployment | null;
  machine: Record<string, string | number>;
  sweeps: SweepReport[];
  connections: ConnectionsReport[];
  ratios: Record<string, number | null>;
  targets: TargetCheck[];
  /** Targets that could not be measured, and why. */
  failures: Array<{ target: TargetName; error: string }>;
}

export function saturationOf(steps: StepResult[], ladderTop: number): SweepReport['saturation'] {
  const passing = steps.filter((step) => step.passed);
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

/** The highest ladder rate at or below a quarter of our saturation rate: where the latency targets are judged. */
export function quarterRate(sweeps: SweepReport[]): number | null {
  const ours = sweeps.find((sweep) => sweep.target === 'ours');
  const saturationRate = ours?.saturation?.rate;
  if (!ours || saturationRate === undefined) return null;
  const candidates = ours.steps.map((step) => step.rate).filter((rate) => rate <= saturationRate / 4);
  return candidates.at(-1) ?? null;
}

export function compare(
  sweeps: SweepReport[],
  connections: ConnectionsReport[],
): { ratios: BenchReport['ratios']; targets: TargetCheck[] } {
  const sweep = (name: TargetName) => sweeps.find((entry) => entry.target === name);
  const holding = (name: TargetName) => connections.find((entry) => entry.target === name);
  const ours = sweep('ours');
  const quarter = quarterRate(sweeps);
  const at = (name: TargetName) => sweep(name)?.steps.find((step) => step.rate === quarter);
  const ratios: BenchReport['ratios'] = { quarterRate: quarter };
  for (const baseline of ['relay', 'kafka-relay', 'direct-write'] as const) {
    ratios[`throughput/${baseline}`] = ratio(
      ours?.saturation?.ackedPerSecond,
      sweep(baseline)?.saturation?.ackedPerSecond,
    );
    ratios[`ackP50@quarter/${baseline}`] = ratio(at('ours')?.sendToAck.p50, at(baseline)?.sendToAck.p50);
    ratios[`ackP99@quarter/${baseline}`] = ratio(at('ours')?.sendToAck.p99, at(baseline)?.sendToAck.p99);
    ratios[`deliveryP50@quarter/${baseline}`] = ratio(
      at('ours')?.sendToDelivery.p50,
      at(baseline)?.sendToDelivery.p50,
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
  const throughputRatio = ratios['throughput/relay'] ?? null;
  const relaySaturation = sweep('relay')?.saturation;
  targets.push({
    name: 'throughput',
    goal: `acked msg/s at saturation >= ${percent(Goals.throughputVsRelay)} of the bare relay`,
    measured:
      `${ours?.saturation?.ackedPerSecond ?? 'n/a'} vs ${relaySaturation?.ackedPerSecond ?? 'n/a'} msg/s = ${throughputRatio ?? 'n/a'}x` +
      (relaySaturation?.reachedTopOfLadder
        ? ' (relay did not saturate within the ladder: its figure is a floor)'
        : ''),
    met: throughputRatio === null ? null : throughputRatio >= Goals.throughputVsRelay,
  });
  const oursQuarter = at('ours');
  const relayQuarter = at('relay');
  const latencyTarget = (percentile: 'p50' | 'p99') => {
    const allowanceMs = Goals.ackAllowanceMs[percentile];
    const ours = oursQuarter?.sendToAck[percentile];
    const relay = relayQuarter?.sendToAck[percentile];
    const gap = ours !== undefined && relay !== undefined ? ours - relay : null;
    return {
      name: `latency ${percentile} at quarter load`,
      goal: `send-to-ack ${percentile} within ${allowanceMs} ms of the relay's at ${quarter ?? '?'} msg/s`,
      measured:
        gap === null
          ? 'not measurable (no step at a quarter of our saturation)'
          : `${ours} vs ${relay} ms: +${Math.round(gap * 10) / 10} ms`,
      met: gap === null ? null : gap <= allowanceMs,
    };
  };
  targets.push(latencyTarget('p50'), latencyTarget('p99'));
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
  lines.push(`# Benchmark ${report.plan.mode} run, ${report.startedAt}`, '');
  lines.push(
    `Machine: ${Object.entries(report.machine)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')}.`,
    '',
  );
  lines.push(`Run tag (prefix of every user and message id created): \`${report.runTag}\`.`, '');
  if (report.external) lines.push(externalNote(report.external), '');
  lines.push(
    `Saturation bound: every message acked, no errors, send-to-ack p99 < ${report.plan.p99BoundMs} ms. ` +
      `${report.plan.pairs} user pairs, ${report.plan.stepMs} ms per step, open loop; latencies from each message's scheduled send time.`,
    '',
  );
  lines.push('## Targets', '', '| target | goal | measured | verdict |', '| --- | --- | --- | --- |');
  for (const target of report.targets) {
    lines.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${verdict(target.met)} |`);
  }
  lines.push('', '## Ratios of ours to the baselines', '', '| ratio | value |', '| --- | --- |');
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
  for (const failure of report.failures) {
    lines.push(`**${failure.target} could not be measured:** ${failure.error.split('\n')[0]}`, '');
  }
  lines.push('Chart: [chart.html](chart.html). Every figure: [report.json](report.json).', '');
  return lines.join('\n');
}

function mib(bytes: number | null): string {
  return bytes === null ? 'n/a' : (bytes / 1024 / 1024).toFixed(1);
}
