import { describe, expect, it } from 'vitest';
import { Goals } from './goals.js';
import type { LatencySummary } from './protocol.js';
import {
  type ConnectionsReport,
  compare,
  cpuPerMessage,
  lightLoadRate,
  type MeasuredStep,
  type SweepReport,
  saturationOf,
} from './report.js';
import type { TargetName } from './targets.js';

const latency = (p50: number, p99 = p50 * 2): LatencySummary => ({
  count: 100,
  p50,
  p90: p50,
  p99,
  max: p99,
  mean: p50,
});

interface StepFigures {
  ackedPerSecond?: number;
  ackP50?: number;
  ackP99?: number;
  deliveryP50?: number;
  cpuMs?: Record<string, number>;
}

function step(rate: number, passed: boolean, figures: StepFigures = {}): MeasuredStep {
  const { ackedPerSecond = rate, ackP50 = 5, ackP99 = 10, cpuMs = {} } = figures;
  return {
    rate,
    durationMs: 1000,
    sent: rate,
    acked: rate,
    ackedPerSecond,
    sendToAck: latency(ackP50, ackP99),
    sendToDelivery: latency(figures.deliveryP50 ?? ackP50 + 1),
    generatorLag: latency(0),
    errorsByCode: {},
    undeliveredAtClose: 0,
    passed,
    cpuPercent: {},
    cpuMs,
  };
}

const ladder = [10, 20, 40, 80, 160, 320, 640, 1280];

/** One step per rung up to `passUpTo`, then one failing step (as the load generator stops there). */
function sweep(
  target: TargetName,
  passUpTo: number,
  figures: (rate: number) => StepFigures = () => ({}),
): SweepReport {
  const steps = ladder
    .filter((rate) => rate <= passUpTo * 2)
    .map((rate) => step(rate, rate <= passUpTo, figures(rate)));
  return {
    target,
    steps,
    saturation: saturationOf(steps, ladder.at(-1) ?? 0),
    delivery: { acked: 1000, lostDeliveries: 0, duplicateDeliveries: 0 },
    storage: { acked: 1000, lost: 0, duplicated: 0, mismatchedIds: 0 },
  };
}

function holding(
  target: TargetName,
  reached: number,
  heapBytes: number,
  rssBytes: number,
): ConnectionsReport {
  return {
    target,
    idle: { rssBytes: 0, heapUsedBytes: 0 },
    levels: [],
    reached,
    ceiling: 1000,
    perConnection: { rssBytes, heapBytes },
    firstError: null,
    topMessageCheck: { acked: true, delivered: true, ackMs: 1, error: null },
    presence: 'ok',
  };
}

const plan = { costRate: 320, p99BoundMs: 250 };
/** The cost target's limit, in CPU ms per message, as the report rounds it. */
const costLimit = Math.round(Goals.cost.baseline.totalCpuMsPerMessage * Goals.cost.vsBaseline * 1000) / 1000;

describe('saturationOf', () => {
  it('is the highest passing step, with the best acked rate among passing steps', () => {
    const steps = [
      step(10, true, { ackedPerSecond: 10 }),
      step(20, true, { ackedPerSecond: 21 }),
      step(40, true, { ackedPerSecond: 19, ackP99: 30 }),
      step(80, false, { ackedPerSecond: 60 }),
    ];
    expect(saturationOf(steps, 80)).toEqual({
      rate: 40,
      ackedPerSecond: 21,
      p99: 30,
      reachedTopOfLadder: false,
    });
  });

  it('ends at the first failing step, even when a later one passed', () => {
    const steps = [step(10, true), step(20, false), step(40, true), step(80, false)];
    expect(saturationOf(steps, 80)?.rate).toBe(10);
  });

  it('says when the top of the ladder passed, and is null when nothing passed', () => {
    expect(saturationOf([step(10, true), step(20, true)], 20)?.reachedTopOfLadder).toBe(true);
    expect(saturationOf([step(10, false)], 10)).toBeNull();
  });
});

describe('lightLoadRate', () => {
  it("is the highest rung at or below 10% of the relay's saturation rate", () => {
    expect(lightLoadRate([sweep('relay', 640)])).toBe(40); // 64 → 40
    expect(lightLoadRate([sweep('relay', 320), sweep('ours', 20)])).toBe(20); // 32 → 20
  });

  it('is null without a relay saturation, or when 10% of it is below the first rung', () => {
    expect(lightLoadRate([sweep('ours', 640)])).toBeNull();
    expect(lightLoadRate([sweep('relay', 80)])).toBeNull(); // 8 < 10
  });
});

describe('cpuPerMessage', () => {
  it("divides each process's CPU milliseconds by the step's acked messages, and totals them", () => {
    const measured = cpuPerMessage(step(320, true, { cpuMs: { gateway: 480, persister: 160, kafka: 1 } }));
    expect(measured).toEqual({
      perProcess: { gateway: 1.5, persister: 0.5, kafka: 0.003 },
      total: 2.003,
    });
  });
});

describe('compare', () => {
  // Every goal exactly at its limit: relay 640, ours 320 (0.5x), direct-write 160 (2x); at the light-load rung
  // (40 msg/s) ours is +15 / +50 ms over the relay with delivery 5 ms after the ack; at 320 msg/s ours costs
  // exactly half of the recorded baseline.
  const atLimitCpuMs = { gateway: costLimit * 320 };
  const ours = (overrides: (rate: number) => StepFigures = () => ({})) =>
    sweep('ours', 320, (rate) => ({
      ackP50: 19,
      ackP99: 60,
      deliveryP50: 24,
      ...(rate === 320 ? { cpuMs: atLimitCpuMs } : {}),
      ...overrides(rate),
    }));
  const relay = sweep('relay', 640, () => ({ ackP50: 4, ackP99: 10 }));
  const directWrite = sweep('direct-write', 160);
  const verdicts = (sweeps: SweepReport[], connections: ConnectionsReport[] = []) =>
    Object.fromEntries(compare(sweeps, connections, plan).targets.map((target) => [target.name, target.met]));

  it('divides ours by each baseline, rounded to three decimals, at the light-load rung', () => {
    const { ratios } = compare(
      [ours(), relay, directWrite],
      [holding('ours', 900, 1200, 3000), holding('relay', 1000, 1000, 2000)],
      plan,
    );
    expect(ratios).toMatchObject({
      lightLoadRate: 40,
      'throughput/relay': 0.5,
      'throughput/direct-write': 2,
      'ackP50@light/relay': 4.75,
      'ackP99@light/relay': 6,
      'deliveryP50@light/relay': 4.8,
      'connections/relay': 0.9,
      'heapPerConnection/relay': 1.2,
      'rssPerConnection/relay': 1.5,
      'throughput/kafka-relay': null,
    });
  });

  it('meets every goal exactly at its limit', () => {
    expect(
      verdicts(
        [ours(), relay, directWrite],
        [holding('ours', 900, 1250, 1), holding('relay', 1000, 1000, 1)],
      ),
    ).toEqual({
      'throughput vs relay': true,
      'latency p50 at light load': true,
      'latency p99 at light load': true,
      'delivery after ack at light load': true,
      'throughput vs direct-write': true,
      cost: true,
      'exactly once': true,
      'idle connections': true,
      'memory per connection': true,
    });
    const p50 = compare([ours(), relay, directWrite], [], plan).targets.find(
      (target) => target.name === 'latency p50 at light load',
    );
    expect(p50?.goal).toContain("40 msg/s, the rung at or below 10% of the relay's 640 msg/s");
    expect(p50?.measured).toBe('19 vs 4 ms: +15 ms');
  });

  it('misses each goal just past its limit', () => {
    const worse = ours((rate) =>
      rate === 40
        ? { ackP50: 19.5, ackP99: 60.5, deliveryP50: 24.6 }
        : rate === 320
          ? { cpuMs: { gateway: atLimitCpuMs.gateway + 1 } }
          : {},
    );
    worse.delivery.duplicateDeliveries = 1;
    const fasterRelay = sweep('relay', 1280, () => ({ ackP50: 4, ackP99: 10 }));
    expect(
      verdicts(
        [worse, fasterRelay, sweep('direct-write', 320)],
        [holding('ours', 899, 1251, 1), holding('relay', 1000, 1000, 1)],
      ),
    ).toEqual({
      'throughput vs relay': false, // 320 / 1280 = 0.25
      // Light load is now 80 msg/s (10% of 1280 = 128), where ours has its usual figures: +15 / +50 / +5 ms.
      'latency p50 at light load': true,
      'latency p99 at light load': true,
      'delivery after ack at light load': true,
      'throughput vs direct-write': false, // 320 / 320 = 1
      cost: false,
      'exactly once': false,
      'idle connections': false, // 0.899 < 0.9
      'memory per connection': false, // 1.251 > 1.25
    });
    expect(verdicts([worse, relay, directWrite])).toMatchObject({
      'latency p50 at light load': false, // +15.5 ms
      'latency p99 at light load': false, // +50.5 ms
      'delivery after ack at light load': false, // +5.1 ms
    });
  });

  it('judges latency not met when ours failed below the light-load rung, and not measured without a relay', () => {
    const weak = sweep('ours', 10);
    const judged = compare([weak, relay], [], plan).targets;
    const p50 = judged.find((target) => target.name === 'latency p50 at light load');
    expect(p50?.met).toBe(false);
    expect(p50?.measured).toContain('ours failed at 20 msg/s, below the light-load rung');
    expect(judged.find((target) => target.name === 'cost')?.met).toBeNull();

    const alone = compare([ours()], [], plan).targets;
    expect(alone.filter((target) => target.met !== null).map((target) => target.name)).toEqual([
      'cost',
      'exactly once',
    ]);
  });
});
