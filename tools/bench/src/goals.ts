/**
 * The performance targets of issue 18, as data (they replace issue #9's). Each compares ours with the bare
 * Socket.IO relay measured in the same sitting, on what `npm start` runs: a durable database, sustained steps,
 * 1,000 sockets. Change a goal here: report.ts judges from it, and plan.ts puts every rate it names on the ladder.
 * docs/performance.md explains where they come from.
 */
export const Goals = Object.freeze({
  /**
   * 1. Throughput: ours' highest passing rate is at least this fraction of the relay's (whose ladder stops at
   * RELAY_TOP_RATE: a relay passing its top step is judged at that step), under the same bound.
   */
  throughputVsRelay: 0.5,
  /** 2. Light load: at this offered rate, ours' send-to-ack is at most the relay's plus these, per percentile. */
  lightLoad: Object.freeze({ rate: 400, ackAllowanceMs: Object.freeze({ p50: 10, p99: 40 }) }),
  /** 3. Cost: CPU milliseconds per acked message at each of these rates, in the same step of each target. */
  cost: Object.freeze({
    rates: Object.freeze([320, 800]),
    /** All processes (servers, Kafka, registry, database, load generator): ours' total at most this × the relay's. */
    vsRelayTotal: 2,
    /** The Kafka broker alone, in ours' step: at most this many ms per acked message. */
    kafkaMsPerMessage: 0.2,
  }),
  // 4. Nothing lost: 0 lost and 0 duplicated, stored and delivered; no figure to set.
});
