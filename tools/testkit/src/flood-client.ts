/**
 * A flooding client, run as a process of its own by `floodSends` (flood.ts) so the test measuring the others'
 * latency does not share its event loop. Options come as JSON in argv[2]; the summary is printed as one JSON
 * line on stdout at the end.
 */
import type { ErrorBody } from '@chat/contracts';
import { type ChatClient, connectClient } from '@chat/harness';
import type { FloodOptions, FloodSummary } from './flood.js';

const options = JSON.parse(process.argv[2] ?? '{}') as FloodOptions;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const summary: FloodSummary = { sent: 0, connections: 0, answers: {}, closedWith: [], reconnectRefusals: [] };
const started = performance.now();
const running = () => performance.now() - started < options.durationMs;
const BATCH_MS = 10;

async function floodFrom(index: number): Promise<void> {
  while (running()) {
    let client: ChatClient;
    try {
      client = await connectClient(options.url, { token: options.token });
    } catch (error) {
      summary.reconnectRefusals.push((error as { data?: { code: string } }).data?.code ?? String(error));
      await pause(options.reconnectDelayMs);
      continue;
    }
    summary.connections += 1;
    client.on('session:closed', (error: ErrorBody) => summary.closedWith.push(error));
    const perBatch = Math.max(1, Math.round((options.ratePerSocket * BATCH_MS) / 1000));
    while (client.connected && running()) {
      for (let i = 0; i < perBatch; i++) {
        summary.sent += 1;
        client.emit(
          'message:send',
          { clientMessageId: `flood-${index}-${summary.sent}`, otherUserId: options.peer, text: 'flood' },
          (ack) => {
            const outcome = ack.ok ? 'ok' : ack.error.code;
            summary.answers[outcome] = (summary.answers[outcome] ?? 0) + 1;
          },
        );
      }
      await pause(BATCH_MS);
    }
    client.close();
    // socket.io-client's default reconnection delay.
    await pause(options.reconnectDelayMs);
  }
}

await Promise.all(Array.from({ length: options.sockets }, (_, index) => floodFrom(index)));
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);
