/**
 * The performance targets the report judges, as data: each compares ours with the bare relay measured in the
 * same run. Change a goal here; report.ts only reads it. docs/performance.md explains where they come from.
 */
export const Goals = Object.freeze({
  /** Acked messages per second at saturation: at least this fraction of the relay's. */
  throughputVsRelay: 0.3,
  /** Send-to-ack at a quarter of our saturation rate: at most this many ms above the relay's, per percentile. */
  ackAllowanceMs: Object.freeze({ p50: 10, p99: 40 }),
  /** Idle connections held: at least this fraction of the relay's. */
  connectionsVsRelay: 0.9,
  /** Heap retained per connection after a full collection: at most this multiple of the relay's. */
  heapPerConnectionVsRelay: 1.25,
});

/** A fraction as a whole percentage, for goal texts: 0.3 → "30%". */
export const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
