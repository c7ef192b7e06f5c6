import type { TargetName } from './targets.js';

export interface BenchPlan {
  mode: 'quick' | 'full';
  /** Persisters of ours, in one consumer group. */
  persisters: number;
  /** Sweep order: baselines interleave with ours so slow drift on the shared machine hits all alike. */
  sweepTargets: TargetName[];
  connectionTargets: TargetName[];
  pairs: number;
  /** Offered rates, doubling from 10 msg/s: every plan has the same rungs, up to its top. */
  rates: number[];
  stepMs: number;
  drainMs: number;
  /**
   * The documented saturation bound: a step passes when every message was acked, without errors,
   * with send-to-ack p99 at most this. 250 ms is where a chat send stops feeling instant.
   */
  p99BoundMs: number;
  /** The rung where CPU per acked message is compared: one every target passes in both modes (costRate). */
  costRate: number;
  /** The latency breakdown's probe of ours: a light, steady load before its sweep (trace.ts). */
  trace: { pairs: number; rate: number; durationMs: number };
  connectionLevels: number[];
  connectConcurrency: number;
  sourceAddresses: string[];
}

/**
 * Where the cost target is judged (CPU per acked message at a fixed rate, issue #9): a rung of both ladders
 * that every target passes in both modes, so its figures exist in every run (see Goals.cost for today's).
 */
export const COST_RATE = 320;

const doubling = (from: number, to: number) => {
  const rates: number[] = [];
  for (let rate = from; rate <= to; rate *= 2) rates.push(rate);
  return rates;
};

/** Idle connections are capped by open files (client and server each hold one per socket), less a margin. */
export function connectionCeiling(openFilesLimit: number): number {
  return Math.floor((openFilesLimit - 500) / 500) * 500;
}

export function makePlan(mode: 'quick' | 'full', openFilesLimit: number): BenchPlan {
  const ceiling = connectionCeiling(openFilesLimit);
  const shared = {
    persisters: 1,
    sweepTargets: ['relay', 'ours', 'kafka-relay', 'direct-write'] as TargetName[],
    connectionTargets: ['relay', 'ours'] as TargetName[],
    p99BoundMs: 250,
    costRate: COST_RATE,
    // About 150 messages at 10 msg/s from two pairs: light enough that nothing queues.
    trace: { pairs: 2, rate: 10, durationMs: 15_000 },
    connectConcurrency: 100,
    sourceAddresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'],
  };
  if (mode === 'quick') {
    return {
      ...shared,
      mode,
      pairs: 25,
      rates: doubling(10, 5120),
      stepMs: 1500,
      drainMs: 2000,
      connectionLevels: [1000, Math.min(3000, ceiling)],
    };
  }
  return {
    ...shared,
    mode,
    pairs: 50,
    rates: doubling(10, 10240),
    stepMs: 5000,
    drainMs: 5000,
    connectionLevels: [...new Set([2500, 5000, 10000, ceiling].filter((level) => level <= ceiling))],
  };
}
