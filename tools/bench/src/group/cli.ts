/**
 * `pnpm bench:group`: delivery latency in a 50-member group, on the local stack, and what typing indicators cost
 * it.
 *
 * One persister and two gateways; the members' sockets alternate between the gateways. Members take turns
 * sending at a steady rate; for each message we time, from the moment it was sent, its ack and its arrival at
 * every other member, and "all members" is the slowest of those arrivals. The same run is made twice: without
 * typing, then with every member refreshing its typing indicator once a second (what a busy group does), to
 * check that typing never slows messages down.
 * Usage: pnpm bench:group [--members 50] [--messages 200] [--rate 20]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Ack, ConversationDto, MessageDto } from '@chat/contracts';
import { loadStackConfig, stackUrls } from '@chat/stack';
import { type ChatClient, connectClient } from '@chat/testkit/clients';
import { mintToken, TestSystem } from '@chat/testkit/system';
import { LatencyRecorder } from '../latency.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '50' },
    messages: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
  },
});
const memberCount = Number(values.members);
const messageCount = Number(values.messages);
const rate = Number(values.rate);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Timing {
  sentAt: number;
  sender: number;
  ackMs?: number;
  /** Arrival after sentAt, per receiving member. */
  arrivals: Map<number, number>;
}

interface PhaseResult {
  phase: string;
  messages: number;
  deliveries: number;
  missing: number;
  ack: LatencyRecorder;
  perMember: LatencyRecorder;
  allMembers: LatencyRecorder;
}

function recorded(values: number[]): LatencyRecorder {
  const recorder = new LatencyRecorder();
  for (const value of values) recorder.record(value);
  return recorder;
}

async function phase(
  name: string,
  clients: ChatClient[],
  conversationId: string,
  typing: boolean,
): Promise<PhaseResult> {
  const timings = new Map<string, Timing>();
  const listeners = clients.map((client, member) => {
    const listener = (message: MessageDto) => {
      const timing = timings.get(message.clientMessageId);
      // The sender's own socket gets it too; only the other members count.
      if (timing && member !== timing.sender && !timing.arrivals.has(member)) {
        timing.arrivals.set(member, performance.now() - timing.sentAt);
      }
    };
    client.on('message:new', listener);
    return listener;
  });
  let typingTimer: NodeJS.Timeout | undefined;
  if (typing) {
    const refresh = () => {
      for (const client of clients) client.emit('typing:start', { conversationId });
    };
    refresh();
    typingTimer = setInterval(refresh, 1000);
  }
  const acks: Promise<void>[] = [];
  for (let n = 0; n < messageCount; n++) {
    const sender = n % clients.length;
    const clientMessageId = randomUUID();
    const timing: Timing = { sentAt: performance.now(), sender, arrivals: new Map() };
    timings.set(clientMessageId, timing);
    acks.push(
      (clients[sender] as ChatClient)
        .timeout(30_000)
        .emitWithAck('message:send', { clientMessageId, conversationId, text: `${name} ${n}` })
        .then((ack) => {
          if (ack.ok) timing.ackMs = performance.now() - timing.sentAt;
        })
        .catch(() => {}),
    );
    await pause(1000 / rate);
  }
  await Promise.all(acks);
  // Let the last deliveries land: wait until every message reached every other member, or 10 s.
  const expected = clients.length - 1;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && [...timings.values()].some((t) => t.arrivals.size < expected)) {
    await pause(50);
  }
  if (typingTimer) clearInterval(typingTimer);
  clients.forEach((client, member) => {
    client.off('message:new', listeners[member]);
  });

  const all = [...timings.values()];
  const perMember = all.flatMap((timing) => [...timing.arrivals.values()]);
  return {
    phase: name,
    messages: all.length,
    deliveries: perMember.length,
    missing: all.length * expected - perMember.length,
    ack: recorded(all.flatMap((timing) => (timing.ackMs === undefined ? [] : [timing.ackMs]))),
    perMember: recorded(perMember),
    allMembers: recorded(
      all
        .filter((timing) => timing.arrivals.size === expected)
        .map((timing) => Math.max(...timing.arrivals.values())),
    ),
  };
}

function row(result: PhaseResult): string {
  const cells = [result.ack, result.perMember, result.allMembers].flatMap((recorder) => {
    const { p50, p99, max } = recorder.summary();
    return [p50, p99, max].map((ms) => ms.toFixed(1));
  });
  return `| ${result.phase} | ${result.messages} | ${result.deliveries} | ${result.missing} | ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const system = new TestSystem(
    { ...stackUrls(loadStackConfig()), kind: 'local' },
    { KAFKA_PARTITIONS: '6' },
  );
  const clients: ChatClient[] = [];
  try {
    await system.startPersister();
    const gateways = [await system.startGateway(), await system.startGateway()];
    const users = Array.from({ length: memberCount }, (_, i) => `${system.topicPrefix}member-${i}`);
    for (const [i, user] of users.entries()) {
      const gateway = gateways[i % gateways.length];
      clients.push(await connectClient(system.url(gateway), { token: mintToken(user) }));
    }
    const creator = clients[0] as ChatClient;
    const created = (await creator.timeout(30_000).emitWithAck('group:create', {
      clientRequestId: randomUUID(),
      name: 'bench group',
      memberIds: users.slice(1),
    })) as Ack<{ conversation: ConversationDto }>;
    if (!created.ok) throw new Error(`group:create failed: ${JSON.stringify(created.error)}`);
    const conversationId = created.conversation.id;

    // A short warm-up, not measured: topics, consumer fetches and the JIT settle.
    await phase('warm-up', clients, conversationId, false);
    const results = [
      await phase('messages only', clients, conversationId, false),
      await phase('with typing', clients, conversationId, true),
    ];
    process.stdout.write(
      [
        '',
        `${memberCount}-member group, ${messageCount} messages at ${rate}/s from rotating senders, members on 2 gateways; milliseconds`,
        '',
        '| phase | messages | deliveries | missing | ack p50 | ack p99 | ack max | per member p50 | per member p99 | per member max | all members p50 | all members p99 | all members max |',
        '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
        ...results.map(row),
        '',
      ].join('\n'),
    );
  } finally {
    for (const client of clients) client.close();
    await system.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
