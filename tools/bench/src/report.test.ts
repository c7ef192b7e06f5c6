import { describe, expect, it } from 'vitest';
import type { LatencySummary } from './protocol.js';
import {
  type ConnectionsReport,
  compare,
  type MeasuredStep,
  quarterRate,
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

function step(rate: number, passed: boolean, ackedPerSecond = rate, ackP50 = 5, ackP99 = 10): MeasuredStep {
  return {
    rate,
    durationMs: 1000,
    sent: rate,
    acked: rate,
    ackedPerSecond,
    sendToAck: latency(ackP50, ackP99),
    sendToDelivery: latency(ackP50 + 1),
    generatorLag: latency(0),
    errorsByCode: {},
    undeliveredAtClose: 0,
    passed,
    cpuPercent: {},
  };
}

function sweep(target: TargetName, steps: MeasuredStep[], ladderTop = 640): SweepReport {
  return {
    target,
    steps,
    saturation: saturationOf(steps, ladderTop),
    delivery: { acked: 0, lostDeliveries: 0, duplicateDeliveries: 0 },
    storage: null,
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

describe('saturationOf', () => {
  it('is the highest passing step, with the best acked rate among passing steps', () => {
    const steps = [step(10, true, 10), step(20, true, 21), step(40, true, 19, 5, 30), step(80, false, 60)];
    expect(saturationOf(steps, 80)).toEqual({
      rate: 40,
      ackedPerSecond: 21,
      p99: 30,
      reachedTopOfLadder: false,
    });
  });

  it('says when the top of the ladder passed, and is null when nothing passed', () => {
    expect(saturationOf([step(10, true), step(20, true)], 20)?.reachedTopOfLadder).toBe(true);
    expect(saturationOf([step(10, false)], 10)).toBeNull();
  });
});

describe('quarterRate', () => {
  it('is the highest ladder rate at or below a quarter of our saturation rate', () => {
    const ours = sweep(
      'ours',
      [10, 20, 40, 80, 160, 320].map((rate) => step(rate, rate <= 160)),
    );
    expect(quarterRate([ours])).toBe(40);
    const exact = sweep(
      'ours',
      [10, 20, 40, 80].map((rate) => step(rate, true)),
    );
    expect(quarterRate([exact])).toBe(20);
  });

  it('is null without a saturation of ours, or below the first step', () => {
    expect(quarterRate([sweep('relay', [step(10, true)])])).toBeNull();
    expect(quarterRate([sweep('ours', [step(10, true), step(20, true)])])).toBeNull();
  });
});

describe('compare', () => {
  const ladder = [10, 20, 40, 80, 160];
  const ours = sweep(
    'ours',
    ladder.map((rate) => step(rate, rate <= 160, rate === 160 ? 150 : rate, 12, 50)),
  );
  const relay = sweep(
    'relay',
    ladder.map((rate) => step(rate, true, rate === 160 ? 300 : rate, 4, 20)),
  );

  it('divides ours by each baseline, rounded to three decimals, at the quarter rate', () => {
    const { ratios } = compare(
      [ours, relay],
      [holding('ours', 900, 1200, 3000), holding('relay', 1000, 1000, 2000)],
    );
    expect(ratios).toMatchObject({
      quarterRate: 40,
      'throughput/relay': 0.5,
      'ackP50@quarter/relay': 3,
      'ackP99@quarter/relay': 2.5,
      'deliveryP50@quarter/relay': 2.6,
      'connections/relay': 0.9,
      'heapPerConnection/relay': 1.2,
      'rssPerConnection/relay': 1.5,
      'throughput/kafka-relay': null,
    });
  });

  it('judges each goal from the ratios and gaps, and says when one is not measurable', () => {
    const { targets } = compare(
      [ours, relay],
      [holding('ours', 899, 1251, 1), holding('relay', 1000, 1000, 1)],
    );
    const met = Object.fromEntries(targets.map((target) => [target.name, target.met]));
    expect(met).toEqual({
      throughput: true, // 150 / 300 = 0.5 >= 0.3
      'latency p50 at quarter load': true, // 12 - 4 = 8 ms <= 10
      'latency p99 at quarter load': true, // 50 - 20 = 30 ms <= 40
      'idle connections': false, // 0.899 < 0.9
      'memory per connection': false, // 1.251 > 1.25
    });
    expect(targets.find((target) => target.name === 'latency p50 at quarter load')?.measured).toBe(
      '12 vs 4 ms: +8 ms',
    );

    const alone = compare([ours], []).targets;
    expect(alone.every((target) => target.met === null)).toBe(true);
  });
});
