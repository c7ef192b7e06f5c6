/**
 * What the orchestrator (cli.ts) and the load generator process (loadgen.ts) exchange. The job goes in as the
 * first stdin line (so a deployment's secret never lands on disk; the job file kept in work/ has it blanked);
 * progress and results come back as one JSON object per stdout line; later stdin lines carry "continue".
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface SweepStep {
  /** Offered messages per second, spread over all pairs, sent on a fixed schedule (open loop). */
  rate: number;
  durationMs: number;
}

export interface SweepJob {
  kind: 'sweep';
  target: string;
  url: string;
  /** Signs the handshake tokens; every server receives the same handshake, baselines just skip verifying. */
  jwtSecret: string;
  /**
   * Prefix of user and client message ids: `bench-` and unique per run, so stored messages can be traced back
   * and never collide with a real deployment's users.
   */
  runTag: string;
  pairs: number;
  /**
   * Open-loop load before the first step, reported as step -1 and left out of the steps' figures (its messages
   * are still checked for exactly-once); null for none.
   */
  warmUp: SweepStep | null;
  steps: SweepStep[];
  /** After a step's send window: how long to wait for its last acks and deliveries before counting them missing. */
  drainMs: number;
  /** A step passes when its send-to-ack p99 is at most this and no send failed. */
  p99BoundMs: number;
  /**
   * The sweep stops after its first failing step, but not below this rate: the goals compare fixed rates
   * (plan.costRates, plan.lightLoadRate), which must be measured even when a noisy machine fails an earlier one.
   */
  runThroughRate: number;
  /** Loopback addresses to spread clients over; empty for a server on another host (no binding). */
  sourceAddresses: string[];
  /** Also return each measured message's own times (the latency breakdown's probe; small runs only). */
  timeline: boolean;
  /**
   * Gateways of one deployment to spread the users over (placement.ts) instead of all on `url`; each step then
   * also reports its latencies per gateway.
   */
  gatewayUrls?: string[];
}

/** One gateway's share of a step: acks of the sends made on it, deliveries to the recipients on it. */
export interface GatewayLatencies {
  sendToAck: LatencySummary;
  sendToDelivery: LatencySummary;
}

export interface ConnectionsJob {
  kind: 'connections';
  target: string;
  url: string;
  jwtSecret: string;
  runTag: string;
  /** Total idle connections to hold at each level; the orchestrator samples the server's memory at each. */
  levels: number[];
  connectConcurrency: number;
  sourceAddresses: string[];
}

export type LoadJob = SweepJob | ConnectionsJob;

export interface StepResult {
  rate: number;
  durationMs: number;
  sent: number;
  acked: number;
  /** Acks of this step's messages per second, from the step's start to its last ack. */
  ackedPerSecond: number;
  /** Measured from each message's scheduled send time, so a lagging generator cannot hide queueing. */
  sendToAck: LatencySummary;
  sendToDelivery: LatencySummary;
  /** How late the generator emitted messages against their schedule: large values mean the client was the limit. */
  generatorLag: LatencySummary;
  errorsByCode: Record<string, number>;
  /** Acked messages whose recipient had not received them when the step closed. */
  undeliveredAtClose: number;
  passed: boolean;
  /** With `gatewayUrls`: in their order. */
  byGateway?: GatewayLatencies[];
}

export interface DeliveryCheck {
  acked: number;
  /** Acked messages the recipient never received. */
  lostDeliveries: number;
  /** Acked messages the recipient received more than once. */
  duplicateDeliveries: number;
}

export interface SweepResult {
  kind: 'sweep';
  target: string;
  steps: StepResult[];
  delivery: DeliveryCheck;
  /** Every acked message, for the database check: client message id → server message id. */
  ackedMessages: Array<{ clientMessageId: string; id: string }>;
  /** With `timeline`: each measured message's times; otherwise empty. */
  timeline: MessageTimes[];
}

/** One message as its clients saw it, in ms since the epoch (sub-millisecond): comparable with Kafka timestamps. */
export interface MessageTimes {
  clientMessageId: string;
  /** When the sender emitted it. */
  sentAt: number;
  ackedAt: number | null;
  /** When the recipient first received it. */
  deliveredAt: number | null;
}

export interface ConnectionLevel {
  connections: number;
  /** Connections established per second while reaching this level. */
  connectPerSecond: number;
  failedConnects: number;
}

export interface ConnectionsResult {
  kind: 'connections';
  target: string;
  levels: ConnectionLevel[];
  reached: number;
  firstError: string | null;
  /** At the top level: a message between two of the connected users, acked and delivered. */
  topMessageCheck: { acked: boolean; delivered: boolean; ackMs: number | null; error: string | null };
  /** At the top level: a connected user's presence, as another connected user sees it through presence:subscribe. */
  topPresenceCheck: string;
}

export type LoadResult = SweepResult | ConnectionsResult;

/** `index` -1 is the warm-up. */
export type LoadEvent =
  | { type: 'step-start'; index: number; rate: number }
  | { type: 'step-end'; index: number; result: StepResult }
  | { type: 'level'; connections: number }
  | { type: 'done'; result: LoadResult };
