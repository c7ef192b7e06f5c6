/**
 * The latency breakdown's arithmetic: one message's times (the clients', the records' and the persister's trace
 * headers) split into hops, summarized over the messages traced end to end. trace.ts gathers the times.
 */
import { LatencyRecorder } from './latency.js';
import type { LatencySummary, MessageTimes } from './protocol.js';

/** A command as the bench's consumer read it from `message.sent`. */
export interface TracedCommand {
  correlationId: string;
  producedAt: number;
}

/** A fact as read from `message.persisted`: its own timestamp and the persister's trace headers. */
export interface TracedFact {
  producedAt: number;
  receivedAt: number;
  storedAt: number;
}

/** Every time of one message, client's and Kafka's, in ms since the epoch. */
interface MessageTrace {
  sentAt: number;
  commandProducedAt: number;
  receivedAt: number;
  storedAt: number;
  factProducedAt: number;
  ackedAt: number;
  deliveredAt: number;
}

/** The hops, in order: each from one time of a message's trace to the next. */
const HOPS: ReadonlyArray<{ hop: string; span: string; ms: (trace: MessageTrace) => number }> = [
  {
    hop: 'gateway → Kafka',
    span: 'client send → message.sent produced',
    ms: (t) => t.commandProducedAt - t.sentAt,
  },
  {
    hop: 'Kafka → persister',
    span: 'message.sent produced → persister received',
    ms: (t) => t.receivedAt - t.commandProducedAt,
  },
  {
    hop: 'database',
    span: 'received → stored (database writes, and any wait for the write before)',
    ms: (t) => t.storedAt - t.receivedAt,
  },
  {
    hop: 'persister → Kafka',
    span: 'stored → message.persisted produced',
    ms: (t) => t.factProducedAt - t.storedAt,
  },
  {
    hop: 'Kafka → gateway → client',
    span: 'message.persisted produced → ack at the client',
    ms: (t) => t.ackedAt - t.factProducedAt,
  },
  { hop: 'total', span: 'client send → ack', ms: (t) => t.ackedAt - t.sentAt },
  {
    hop: 'delivery after ack',
    span: 'ack at the sender → message:new at the recipient',
    ms: (t) => t.deliveredAt - t.ackedAt,
  },
];

export interface LatencyBreakdown {
  rate: number;
  pairs: number;
  sent: number;
  acked: number;
  /** Acked messages whose command and fact were both read, with the trace headers: the hops' sample. */
  traced: number;
  hops: Array<{ hop: string; span: string; latency: LatencySummary }>;
}

/** Joins the clients' times with the records' and summarizes each hop over the messages traced end to end. */
export function computeBreakdown(
  probe: { rate: number; pairs: number },
  timeline: MessageTimes[],
  commands: ReadonlyMap<string, TracedCommand>,
  facts: ReadonlyMap<string, TracedFact>,
): LatencyBreakdown {
  const traces: MessageTrace[] = [];
  for (const message of timeline) {
    const command = commands.get(message.clientMessageId);
    const fact = command && facts.get(command.correlationId);
    if (!command || !fact || message.ackedAt === null || message.deliveredAt === null) continue;
    traces.push({
      sentAt: message.sentAt,
      commandProducedAt: command.producedAt,
      receivedAt: fact.receivedAt,
      storedAt: fact.storedAt,
      factProducedAt: fact.producedAt,
      ackedAt: message.ackedAt,
      deliveredAt: message.deliveredAt,
    });
  }
  return {
    ...probe,
    sent: timeline.length,
    acked: timeline.filter((message) => message.ackedAt !== null).length,
    traced: traces.length,
    hops: HOPS.map(({ hop, span, ms }) => {
      const recorder = new LatencyRecorder();
      for (const trace of traces) recorder.record(ms(trace));
      return { hop, span, latency: recorder.summary() };
    }),
  };
}
