import type { CommandTopic, ErrorCode } from '@chat/contracts';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Outcome label of a send: `ok`, or the error code its ack carried. */
export type SendOutcome = 'ok' | ErrorCode;

/** What the gateway records besides the bus's and the process's metrics (docs/operations.md lists them all). */
export function gatewayMetrics(
  registry: Registry,
  sources: {
    connectedSockets: () => number;
    pendingRequests: () => Record<CommandTopic, number>;
  },
) {
  new Gauge({
    name: 'chat_gateway_connected_sockets',
    help: 'Authenticated Socket.IO connections on this gateway.',
    registers: [registry],
    collect() {
      this.set(sources.connectedSockets());
    },
  });
  new Gauge({
    name: 'chat_gateway_pending_acks',
    help: 'Requests waiting for the fact that answers their command, by command topic (kind).',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      for (const [kind, count] of Object.entries(sources.pendingRequests())) this.set({ kind }, count);
    },
  });
  return {
    sends: new Counter({
      name: 'chat_gateway_sends_total',
      help: 'message:send requests answered, by outcome: ok or the error code of the ack.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    sendAckSeconds: new Histogram({
      name: 'chat_gateway_send_ack_seconds',
      help: 'From a message:send arriving to its ack leaving, by outcome.',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    presenceUpdates: new Counter({
      name: 'chat_gateway_presence_updates_total',
      help: "Presence changes announced (presence:update to the user's watchers), by state.",
      labelNames: ['state'] as const,
      registers: [registry],
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;

/** Records one answered send. */
export function recordSend(metrics: GatewayMetrics, outcome: SendOutcome, seconds: number): void {
  metrics.sends.inc({ outcome });
  metrics.sendAckSeconds.observe({ outcome }, seconds);
}
