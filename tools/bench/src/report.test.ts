import { describe, expect, it } from 'vitest';
import { Goals } from './goals.js';
import type { LatencySummary } from './protocol.js';
import {
  type BenchDatabase,
  compare,
  cpuPerMessage,
  type MeasuredStep,
  notShippedReasons,
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
  acked?: number;
  errorsByCode?: Record<string, number>;
  cpuMs?: Record<string, number>;
}

/** One second at `rate`: `rate` messages sent, all acked unless told otherwise. */
function step(rate: number, passed: boolean, figures: StepFigures = {}): MeasuredStep {
  const { ackedPerSecond = rate, ackP50 = 5, ackP99 = 10, cpuMs = {} } = figures;
  return {
    rate,
    durationMs: 1000,
    sent: rate,
    acked: figures.acked ?? rate,
    ackedPerSecond,
    sendToAck: latency(ackP50, ackP99),
    sendToDelivery: latency(ackP50 + 1),
    generatorLag: latency(0),
    errorsByCode: figures.errorsByCode ?? {},
    undeliveredAtClose: 0,
    passed,
    cpuPercent: {},
    cpuMs,
  };
}

const ladder = [320, 400, 800, 1600, 3200, 4000, 8000];

/** One step per rung up to `passUpTo`, then one failing step (the load generator stops there). */
function sweep(
  target: TargetName,
  passUpTo: number,
  figures: (rate: number) => StepFigures = () => ({}),
): SweepReport {
  const rungs = ladder.filter((rate) => rate <= passUpTo);
  const failing = ladder.find((rate) => rate > passUpTo);
  const steps = [
    ...rungs.map((rate) => step(rate, true, figures(rate))),
    ...(failing === undefined ? [] : [step(failing, false, { ...figures(failing), ackP99: 900 })]),
  ];
  return {
    target,
    warmUp: step(400, true),
    steps,
    saturation: saturationOf(steps, ladder.at(-1) ?? 0),
    delivery: { acked: 1000, lostDeliveries: 0, duplicateDeliveries: 0 },
    storage: { acked: 1000, lost: 0, duplicated: 0, mismatchedIds: 0 },
  };
}

const plan = { p99BoundMs: 250, costRates: [320, 800], lightLoadRate: 400 };

/** The relay's CPU per message: 1 ms in total, 0.05 ms of it the idle broker. */
const relayCpuMs = (rate: number) => ({ relay: 0.6 * rate, loadgen: 0.35 * rate, kafka: 0.05 * rate });

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

describe('cpuPerMessage', () => {
  it("divides each process's CPU milliseconds by the step's acked messages, and totals them", () => {
    const measured = cpuPerMessage(step(320, true, { cpuMs: { gateway: 480, persister: 160, kafka: 1 } }));
    expect(measured).toEqual({
      perProcess: { gateway: 1.5, persister: 0.5, kafka: 0.003 },
      total: 2.003,
    });
  });
});

describe('compare (issue 18)', () => {
  // Every goal exactly at its limit: the relay passes its top step (8,000 msg/s) and ours half of it; at 400
  // msg/s ours is +10 / +40 ms over the relay; at 320 and 800 msg/s ours costs twice the relay's 1 ms per
  // message, 0.2 ms of it in Kafka.
  const relay = sweep('relay', 8000, (rate) => ({ ackP50: 4, ackP99: 10, cpuMs: relayCpuMs(rate) }));
  const oursCpuMs = (rate: number) => ({
    gateway: 0.9 * rate,
    persister: 0.5 * rate,
    mongo: 0.05 * rate,
    loadgen: 0.35 * rate,
    kafka: 0.2 * rate,
  });
  const oursAtLimit = (rate: number): StepFigures => ({
    ackP50: rate === 400 ? 14 : 20,
    ackP99: rate === 400 ? 50 : 100,
    cpuMs: oursCpuMs(rate),
  });
  const ours = (overrides: (rate: number) => StepFigures = () => ({})) =>
    sweep('ours', 4000, (rate) => ({ ...oursAtLimit(rate), ...overrides(rate) }));
  const judged = (sweeps: SweepReport[]) => compare(sweeps, [], plan).targets;
  const verdicts = (sweeps: SweepReport[]) =>
    Object.fromEntries(judged(sweeps).map((target) => [target.name, target.met]));
  const measured = (sweeps: SweepReport[], name: string) =>
    judged(sweeps).find((target) => target.name === name)?.measured;

  it('meets every goal exactly at its limit', () => {
    expect(verdicts([relay, ours()])).toEqual({
      '1. throughput': true,
      '2. light load p50': true,
      '2. light load p99': true,
      '3. cost at 320 msg/s': true,
      '3. cost at 800 msg/s': true,
      '3. Kafka at 320 msg/s': true,
      '3. Kafka at 800 msg/s': true,
      '4. nothing lost': true,
    });
    expect(measured([relay, ours()], '1. throughput')).toBe(
      'ours 4000 msg/s (4000 acked/s, p99 100 ms), then 8000 msg/s failed (ack p99 900 ms); ' +
        'relay 8000 msg/s (8000 acked/s, p99 10 ms), its top step: that is its figure; ours needs 4000 msg/s: 0.5x the relay',
    );
    expect(measured([relay, ours()], '2. light load p50')).toBe('14 vs 4 ms: +10 ms');
    expect(measured([relay, ours()], '3. cost at 320 msg/s')).toBe('2 vs 1 ms: 2x (limit 2 ms)');
    expect(measured([relay, ours()], '3. Kafka at 800 msg/s')).toBe(
      "0.2 ms (in the relay's step, with no traffic of its own: 0.05 ms)",
    );
  });

  it('misses each goal just past its limit', () => {
    const worse = ours((rate) => {
      const cpuMs = oursCpuMs(rate);
      return rate === 400
        ? { ackP50: 14.5, ackP99: 50.5 }
        : rate === 320
          ? { cpuMs: { ...cpuMs, gateway: cpuMs.gateway + 1 } }
          : rate === 800
            ? { cpuMs: { ...cpuMs, kafka: cpuMs.kafka + 1 } }
            : {};
    });
    worse.delivery.duplicateDeliveries = 1;
    const weaker = sweep('ours', 3200, oursAtLimit);
    expect(verdicts([relay, worse])).toMatchObject({
      '2. light load p50': false, // +10.5 ms
      '2. light load p99': false, // +40.5 ms
      '3. cost at 320 msg/s': false, // 2.003 ms against 2 ms
      '3. cost at 800 msg/s': false, // 2.001 ms
      '3. Kafka at 320 msg/s': true,
      '3. Kafka at 800 msg/s': false, // 0.201 ms
      '4. nothing lost': false,
    });
    expect(verdicts([relay, weaker])['1. throughput']).toBe(false); // 3,200 < 4,000
  });

  it('judges ours at half of what the relay passed when the relay fails below its top', () => {
    const slowerRelay = sweep('relay', 3200, (rate) => ({ ackP50: 4, ackP99: 10, cpuMs: relayCpuMs(rate) }));
    const oursTo1600 = sweep('ours', 1600, oursAtLimit);
    expect(verdicts([slowerRelay, oursTo1600])['1. throughput']).toBe(true);
    expect(measured([slowerRelay, oursTo1600], '1. throughput')).toContain('ours needs 1600 msg/s');
  });

  it('fails the light load when a send at its rate was not acked, whatever the percentiles', () => {
    const refused = ours((rate) => (rate === 400 ? { acked: 399, errorsByCode: { UNAVAILABLE: 1 } } : {}));
    expect(verdicts([relay, refused])).toMatchObject({
      '2. light load p50': false,
      '2. light load p99': false,
    });
    expect(measured([relay, refused], '2. light load p50')).toBe(
      '14 vs 4 ms: +10 ms; 400 msg/s failed (ack p99 50 ms, 1 of 400 not acked, errors UNAVAILABLE:1)',
    );
  });

  it('fails throughput when ours passed nothing, and leaves unmeasured what has no figure', () => {
    const nothing = sweep('ours', 0, oursAtLimit);
    expect(verdicts([relay, nothing])['1. throughput']).toBe(false);
    // Ours alone: only what needs no relay is judged.
    expect(
      judged([ours()])
        .filter((target) => target.met !== null)
        .map((target) => target.name),
    ).toEqual(['3. Kafka at 320 msg/s', '3. Kafka at 800 msg/s', '4. nothing lost']);
    // A running deployment without its pids: no broker figure, so no cost either.
    const external = ours((rate) => ({ cpuMs: { loadgen: 0.35 * rate } }));
    expect(verdicts([relay, external])).toMatchObject({
      '3. cost at 320 msg/s': null,
      '3. Kafka at 320 msg/s': null,
    });
  });

  it('gives the ratios to each baseline in the run, and none without ours', () => {
    expect(compare([relay, ours()], [], plan).ratios).toEqual({
      'throughput/relay': 0.5,
      'ackP50@400/relay': 3.5,
      'ackP99@400/relay': 5,
      'cpuPerMessage@320/relay': 2,
      'cpuPerMessage@800/relay': 2,
    });
    expect(compare([relay, sweep('ours', 0)], [], plan).ratios['throughput/relay']).toBe(0);
    expect(compare([relay], [], plan).ratios).toEqual({});
  });
});

describe('notShippedReasons', () => {
  const shippedPlan = {
    mode: 'full',
    persisters: 1,
    warmUp: { rate: 400, durationMs: 60_000 },
    stepMs: 20_000,
  } as const;
  const durable: BenchDatabase = { kind: 'secantus', syncOnCommit: true };

  it('is empty for the shipped measurement', () => {
    expect(notShippedReasons(shippedPlan, durable, false)).toEqual([]);
  });

  it('names every option that changes it', () => {
    const reasons = notShippedReasons(
      {
        ...shippedPlan,
        mode: 'quick',
        persisters: 2,
        warmUp: { rate: 400, durationMs: 10_000 },
        stepMs: 3000,
      },
      { ...durable, syncOnCommit: false },
      true,
    );
    expect(reasons).toHaveLength(4);
    expect(reasons[0]).toContain('`--quick`: a 10 s warm-up and 3 s steps');
    expect(reasons[1]).toContain('`--no-db-sync`');
    expect(reasons[2]).toContain('`--persisters 2`');
    expect(reasons[3]).toContain('`--gateway-url`');
  });
});

describe('Goals', () => {
  it('are the figures of issue 18', () => {
    expect(Goals).toEqual({
      throughputVsRelay: 0.5,
      lightLoad: { rate: 400, ackAllowanceMs: { p50: 10, p99: 40 } },
      cost: { rates: [320, 800], vsRelayTotal: 2, kafkaMsPerMessage: 0.2 },
    });
  });
});
