/**
 * The group scenario of `pnpm bench` and `pnpm bench:group`: delivery latency in a group of 50 members.
 *
 * The members' sockets alternate between the given gateways; members take turns sending at a steady rate. For
 * each message we time, from the moment it was sent, its ack and its arrival at every other member; "all
 * members" is the slowest of those arrivals. The run is made twice: without typing, then with every member
 * refreshing its typing indicator once a second (what a busy group does), to check that typing never slows
 * messages down.
 */
import { randomUUID } from 'node:crypto';
import type { Ack, ConversationDto, MessageDto } from '@chat/contracts';
import { type ChatClient, connectClient } from '@chat/harness';
import { LatencyRecorder } from '../latency.js';
import type { LatencySummary } from '../protocol.js';
import type { GroupPhaseResult, GroupScenarioOptions } from './report.js';

export const groupScenarioDefaults: GroupScenarioOptions = { members: 50, messages: 200, rate: 20 };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Timing {
  sentAt: number;
  sender: number;
  ackMs?: number;
  /** Arrival after sentAt, per receiving member. */
  arrivals: Map<number, number>;
}

function recorded(values: number[]): LatencySummary {
  const recorder = new LatencyRecorder();
  for (const value of values) recorder.record(value);
  return recorder.summary();
}

async function phase(
  name: string,
  clients: ChatClient[],
  conversationId: string,
  typing: boolean,
  { messages: messageCount, rate }: GroupScenarioOptions,
): Promise<GroupPhaseResult> {
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

/**
 * Runs the scenario against running gateways: `userIds` are fresh users (one per member), `tokenFor` signs
 * their tokens. Returns the measured phases (without the warm-up).
 */
export async function runGroupScenario(
  gatewayUrls: string[],
  userIds: string[],
  tokenFor: (userId: string) => string,
  options: GroupScenarioOptions,
): Promise<GroupPhaseResult[]> {
  const clients: ChatClient[] = [];
  try {
    for (const [i, userId] of userIds.entries()) {
      const url = gatewayUrls[i % gatewayUrls.length] as string;
      clients.push(await connectClient(url, { token: tokenFor(userId) }));
    }
    const created = (await (clients[0] as ChatClient).timeout(30_000).emitWithAck('group:create', {
      clientRequestId: randomUUID(),
      name: 'bench group',
      memberIds: userIds.slice(1),
    })) as Ack<{ conversation: ConversationDto }>;
    if (!created.ok) throw new Error(`group:create failed: ${JSON.stringify(created.error)}`);
    const conversationId = created.conversation.id;
    // A short warm-up, not measured: consumer fetches and the JIT settle.
    await phase('warm-up', clients, conversationId, false, {
      ...options,
      messages: Math.min(50, options.messages),
    });
    return [
      await phase('messages only', clients, conversationId, false, options),
      await phase('with typing', clients, conversationId, true, options),
    ];
  } finally {
    for (const client of clients) client.close();
  }
}
