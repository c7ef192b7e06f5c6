import { loadSettings, serviceSettings, settingsSchema } from '@chat/runtime';
import { devAppSettings } from '@chat/stack';
import { Goals } from './goals.js';
import type { TargetName } from './targets.js';

export interface BenchPlan {
  /** `full` is the shipped measurement; `quick` shortens the warm-up and the steps (not for headline figures). */
  mode: 'quick' | 'full';
  /** Persisters of ours, in one consumer group (`npm start` runs one). */
  persisters: number;
  /** Sweep order: the relay before ours, whose ladder depends on the relay's highest passing rate. */
  sweepTargets: TargetName[];
  connectionTargets: TargetName[];
  /** User pairs of the sweep: 2 × pairs sockets, each user sending rate / (2 × pairs) messages a second. */
  pairs: number;
  /** The ladder of offered rates, up to RELAY_TOP_RATE; ours climbs `ladderForOurs` of it. */
  rates: number[];
  /** Load before the first measured step, in the same load generator: JIT, the broker's JVM, first writes. */
  warmUp: { rate: number; durationMs: number };
  stepMs: number;
  /** After each step: up to this long for its acks and deliveries; a send still unanswered then is an error. */
  drainMs: number;
  /**
   * The documented saturation bound: a step passes when every message was acked, without errors,
   * with send-to-ack p99 at most this. 250 ms is where a chat send stops feeling instant.
   */
  p99BoundMs: number;
  /** Where CPU per acked message is judged (Goals.cost.rates); each sweep goes on through the highest of them. */
  costRates: number[];
  /** Where light-load latency is judged (Goals.lightLoad.rate). */
  lightLoadRate: number;
  /** The latency breakdown's probe of ours: a light, steady load before its sweep (trace.ts). */
  trace: { pairs: number; rate: number; durationMs: number };
  /** The settings ours' apps run with beyond connections and names: those of `npm start` (oursSettings). */
  oursSettings: Record<string, string>;
  connectionLevels: number[];
  connectConcurrency: number;
  sourceAddresses: string[];
}

/** The relay's ladder stops here: a relay passing this step is judged at it, and ours at half of it. */
export const RELAY_TOP_RATE = 8000;

/**
 * The gateway's shipped per-user send limit (SEND_RATE_PER_USER, default 20 a second with bursts of 60;
 * apps/gateway/src/config.ts, docs/protocol.md). Ours runs with it, so the plan keeps every user at most at
 * half of it (plan.test.ts): a RATE_LIMITED refusal would fail the step, not measure the pipeline.
 */
export const SHIPPED_SEND_RATE_PER_USER = 20;

const sortedUnique = (rates: number[]) => [...new Set(rates)].sort((a, b) => a - b);

/** Every rate a goal names, 1,600 and 3,200 between them and the top, half the top (ours' figure) and the top. */
const LADDER = sortedUnique([
  ...Goals.cost.rates,
  Goals.lightLoad.rate,
  1600,
  3200,
  RELAY_TOP_RATE * Goals.throughputVsRelay,
  RELAY_TOP_RATE,
]);

/**
 * Ours' ladder: the rungs up to the relay's highest passing rate, every rate a goal names, and the rate the
 * throughput goal asks of ours (half the relay's). Without a relay figure (not run, or nothing passed) the
 * whole ladder, which holds half its top.
 */
export function ladderForOurs(rates: number[], relayRate: number | null): number[] {
  if (relayRate === null) return rates;
  const named = new Set<number>([...Goals.cost.rates, Goals.lightLoad.rate]);
  return sortedUnique([
    ...rates.filter((rate) => rate <= relayRate || named.has(rate)),
    Math.round(relayRate * Goals.throughputVsRelay),
  ]);
}

/** Messages a second each user sends at `rate`: pairs alternate direction, so each user sends every other turn. */
export const sendsPerUser = (rate: number, pairs: number) => rate / (2 * pairs);

/**
 * The settings ours' apps run with, beyond connections, topic prefix, group and key: what `npm start` sets
 * (devAppSettings), and for what it leaves to the apps (log level, partitions) the apps' own defaults, read by
 * the code the apps read them with; the test system sets its own otherwise. The gateway's limits are not set:
 * they keep their defaults too.
 */
export function oursSettings(): Record<string, string> {
  // The service settings include the required ones too: placeholders, never used.
  const defaults = loadSettings(settingsSchema(serviceSettings), {
    MONGODB_URI: 'unused',
    KAFKA_BROKERS: 'unused',
    SCHEMA_REGISTRY_URL: 'unused',
  });
  return {
    LOG_LEVEL: defaults.logLevel,
    KAFKA_PARTITIONS: String(defaults.kafkaPartitions),
    ...devAppSettings({}),
  };
}

/** Idle connections are capped by open files (client and server each hold one per socket), less a margin. */
export function connectionCeiling(openFilesLimit: number): number {
  return Math.floor((openFilesLimit - 500) / 500) * 500;
}

export function makePlan(mode: 'quick' | 'full', openFilesLimit: number): BenchPlan {
  const ceiling = connectionCeiling(openFilesLimit);
  const shared = {
    persisters: 1,
    // The targets the goals judge; kafka-relay and direct-write run when --targets names them.
    sweepTargets: ['relay', 'ours'] as TargetName[],
    connectionTargets: ['relay', 'ours'] as TargetName[],
    // 1,000 sockets; at the relay's top rate each user sends 8 messages a second.
    pairs: 500,
    rates: LADDER,
    p99BoundMs: 250,
    costRates: [...Goals.cost.rates],
    lightLoadRate: Goals.lightLoad.rate,
    // About 150 messages at 10 msg/s from two pairs: light enough that nothing queues.
    trace: { pairs: 2, rate: 10, durationMs: 15_000 },
    oursSettings: oursSettings(),
    connectConcurrency: 100,
    sourceAddresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'],
  };
  if (mode === 'quick') {
    return {
      ...shared,
      mode,
      warmUp: { rate: Goals.lightLoad.rate, durationMs: 10_000 },
      stepMs: 3000,
      drainMs: 3000,
      connectionLevels: [1000, Math.min(3000, ceiling)],
    };
  }
  return {
    ...shared,
    mode,
    // The broker's JVM compiles for its first minute under load (issue 18: 72% of a core, then 28%).
    warmUp: { rate: Goals.lightLoad.rate, durationMs: 60_000 },
    stepMs: 20_000,
    drainMs: 15_000,
    connectionLevels: [...new Set([2500, 5000, 10000, ceiling].filter((level) => level <= ceiling))],
  };
}
