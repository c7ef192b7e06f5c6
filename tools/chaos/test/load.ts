import { type ChatClient, ChatClientError, type SendAttempt } from '@chat/client';
import type { ErrorBody, MessageDto } from '@chat/contracts';
import { DEV_SESSION_TIMEOUT_MS, type TestSystem, uniqueName } from '@chat/testkit';
import { expect } from 'vitest';

/** Frozen past the persister's session timeout (the test system's, npm start's) and the clients' ping timeout. */
export const FROZEN_MS = DEV_SESSION_TIMEOUT_MS + 2000;

/** The apps' settings in the suite. */
export const CHAOS_ENV = {
  SEND_ACK_TIMEOUT_MS: '4000',
  // Clients of a frozen gateway notice within 3 s and reconnect to the other one.
  SOCKET_PING_INTERVAL_MS: '1000',
  SOCKET_PING_TIMEOUT_MS: '2000',
};

export interface SentMessage {
  clientMessageId: string;
  senderId: string;
  firstSentAt: number;
  /** Each try, as the client library reported it: acked, an error code, or no answer. */
  attempts: Array<Omit<SendAttempt, 'clientMessageId'>>;
  ackedAt?: number;
  stored?: MessageDto;
  /** A non-retriable refusal: a bug in this suite's eyes (the load only sends valid messages). */
  refused?: ErrorBody;
}

export interface LoadOptions {
  /** Prefix of user ids and clientMessageIds: each case has users of its own. */
  tag: string;
  /** Senders, in pairs writing to each other; spread over the system's first two gateways. */
  senders: number;
  /** Pause between one sender's acked message and its next. */
  intervalMs: number;
  /** How long a client waits for an ack before it counts as no answer (longer than the gateway's own timeout). */
  ackTimeoutMs: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGSTOP, FROZEN_MS, SIGCONT. */
export async function freezeFor(target: { freeze(): void; thaw(): void }): Promise<FaultTimes> {
  const faultAt = Date.now();
  target.freeze();
  await pause(FROZEN_MS);
  target.thaw();
  return { faultAt, recoveredAt: Date.now() };
}

/** SIGKILL, then a restart at once; recovered when the restarted process is ready. */
export async function killAndRestart(
  kill: () => Promise<void>,
  restart: () => Promise<unknown>,
): Promise<FaultTimes> {
  const faultAt = Date.now();
  await kill();
  await restart();
  return { faultAt, recoveredAt: Date.now() };
}

/**
 * One case: a steady load (6 senders on the system's gateways) until 30 acks, the fault, the load until 30
 * messages first sent after recovery are acked and a second more, then drained and checked.
 */
export async function runFaultCase(
  system: TestSystem,
  tag: string,
  inject: () => Promise<FaultTimes>,
): Promise<CaseFigures> {
  const load = new SteadyLoad(system, {
    tag: uniqueName(tag),
    senders: 6,
    intervalMs: 100,
    ackTimeoutMs: 8000,
  });
  load.start();
  await load.ackedSince(0, 30);
  const times = await inject();
  await load.ackedSince(times.recoveredAt, 30);
  await pause(1000);
  await load.stop();
  return figures(system, load, times);
}

/** Zero acked lost, zero duplicates, no seq gaps, every send acked in the end after retriable answers only. */
export function expectNothingLost(result: CaseFigures, options: { gatewaysAnswerEverySend: boolean }): void {
  expect(result).toMatchObject({ lost: 0, duplicates: 0, seqGaps: 0, refused: 0, unacked: 0 });
  expect(result.acked).toBe(result.sent);
  // While the gateways run, a send is always answered: acked, or a retriable code within the ack timeout.
  if (options.gatewaysAnswerEverySend) expect(result.retried['no-answer'] ?? 0).toBe(0);
}

/**
 * A steady send load through the client library, which behaves as the protocol asks clients to: each sender
 * sends in order, resends a message with the same clientMessageId after a retriable error, a missing ack or a
 * lost connection, and reconnects to the running gateways in turn, starting with its own. Every attempt the
 * clients reported is recorded for the checks.
 */
export class SteadyLoad {
  readonly messages: SentMessage[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly clients: ChatClient[] = [];

  constructor(
    private readonly system: TestSystem,
    private readonly options: LoadOptions,
  ) {}

  get userIds(): string[] {
    return Array.from({ length: this.options.senders }, (_, index) => `${this.options.tag}-u${index}`);
  }

  start(): void {
    this.running = true;
    this.loops = this.userIds.map((userId, index) => this.sendLoop(userId, index));
  }

  /** Stops starting new messages and waits until every started one is acked (or refused). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((client) => client.close()));
  }

  /** Resolves once `count` messages first sent after `since` are acked. */
  async ackedSince(since: number, count: number, deadlineMs = 60_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.messages.filter((m) => m.firstSentAt >= since && m.ackedAt !== undefined).length < count) {
      if (Date.now() > deadline)
        throw new Error(`fewer than ${count} acks since the fault within ${deadlineMs} ms`);
      await pause(50);
    }
  }

  private async sendLoop(userId: string, index: number): Promise<void> {
    const peer = this.userIds[index % 2 === 0 ? index + 1 : index - 1] as string;
    let turn = index;
    const client = this.system.chatClient(userId, {
      url: () => {
        const gateways = this.system.gateways.filter((gateway) => gateway.running);
        return this.system.url(gateways[turn++ % Math.max(1, gateways.length)]);
      },
      ackTimeoutMs: this.options.ackTimeoutMs,
      connectTimeoutMs: 2000,
      sendTimeoutMs: 120_000,
      backoff: { baseMs: 200, maxMs: 1000 },
    });
    this.clients.push(client);
    const sending = new Map<string, SentMessage>();
    client.on('attempt', ({ clientMessageId, at, outcome }) => {
      sending.get(clientMessageId)?.attempts.push({ at, outcome });
    });
    await client.connect();
    for (let n = 0; this.running; n++) {
      const message: SentMessage = {
        clientMessageId: `${userId}-${n}`,
        senderId: userId,
        firstSentAt: Date.now(),
        attempts: [],
      };
      this.messages.push(message);
      sending.set(message.clientMessageId, message);
      try {
        message.stored = await client.send({
          clientMessageId: message.clientMessageId,
          otherUserId: peer,
          text: `${message.clientMessageId} from ${userId}`,
        });
        message.ackedAt = Date.now();
      } catch (error) {
        if (!(error instanceof ChatClientError)) throw error;
        // Refused (not retriable), or still not stored at the deadline: both fail the case.
        if (!error.retriable)
          message.refused = { code: error.code, message: error.message, retriable: false };
      }
      sending.delete(message.clientMessageId);
      await pause(this.options.intervalMs);
    }
  }
}

export interface FaultTimes {
  /** When the fault was injected (SIGKILL, SIGSTOP). */
  faultAt: number;
  /** When the process was running again (restart answered ready, SIGCONT sent). */
  recoveredAt: number;
}

export interface CaseFigures {
  sent: number;
  acked: number;
  /** Acked, but missing from the database or stored with another seq. */
  lost: number;
  /** Stored more than once for one clientMessageId. */
  duplicates: number;
  /** Conversations whose seqs are not exactly 1..n. */
  seqGaps: number;
  /** Non-retriable refusals, and messages never acked. */
  refused: number;
  unacked: number;
  /** Attempts per outcome other than `acked`: retriable codes and `no-answer`. */
  retried: Record<string, number>;
  baselineP50Ms: number;
  /** From the fault to the first ack of a message first sent after it. */
  faultToFirstAckMs: number;
  /** From recovery until every later message is acked within the steady bound. */
  recoveryToSteadyMs: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
};

/** Checks what the clients saw against the database, and measures the recovery. */
export async function figures(system: TestSystem, load: SteadyLoad, times: FaultTimes): Promise<CaseFigures> {
  const { messages } = load;
  const stored = await system.db
    .collection<{
      _id: string;
      conversationId: string;
      senderId: string;
      clientMessageId: string;
      seq: number;
    }>('messages')
    .find({ senderId: { $in: load.userIds } })
    .toArray();
  const byId = new Map(stored.map((m) => [m._id, m]));
  const acked = messages.filter((m) => m.stored !== undefined);
  const lost = acked.filter((m) => byId.get(m.stored?.id as string)?.seq !== m.stored?.seq).length;
  const perClientId = new Map<string, number>();
  for (const m of stored) {
    const key = `${m.senderId}/${m.clientMessageId}`;
    perClientId.set(key, (perClientId.get(key) ?? 0) + 1);
  }
  const duplicates = [...perClientId.values()].filter((count) => count > 1).length;
  const seqs = new Map<string, number[]>();
  for (const m of stored) seqs.set(m.conversationId, [...(seqs.get(m.conversationId) ?? []), m.seq]);
  const seqGaps = [...seqs.values()].filter((list) =>
    list.sort((a, b) => a - b).some((seq, index) => seq !== index + 1),
  ).length;

  const retried: Record<string, number> = {};
  for (const m of messages) {
    for (const attempt of m.attempts) {
      if (attempt.outcome !== 'acked') retried[attempt.outcome] = (retried[attempt.outcome] ?? 0) + 1;
    }
  }
  const latency = (m: SentMessage) => (m.ackedAt ?? Number.POSITIVE_INFINITY) - m.firstSentAt;
  const before = messages.filter((m) => m.ackedAt !== undefined && m.ackedAt < times.faultAt);
  const baselineP50Ms = percentile(before.map(latency), 50);
  const steadyBound = Math.max(3 * percentile(before.map(latency), 95), baselineP50Ms + 50);
  const after = messages
    .filter((m) => m.firstSentAt >= times.faultAt)
    .sort((a, b) => a.firstSentAt - b.firstSentAt);
  const firstAck = Math.min(...after.map((m) => m.ackedAt ?? Number.POSITIVE_INFINITY));
  const lastSlow = after.findLastIndex((m) => latency(m) > steadyBound);
  const steadyFrom = lastSlow === -1 ? times.recoveredAt : (after[lastSlow + 1]?.firstSentAt ?? Number.NaN);
  return {
    sent: messages.length,
    acked: acked.length,
    lost,
    duplicates,
    seqGaps,
    refused: messages.filter((m) => m.refused !== undefined).length,
    unacked: messages.filter((m) => m.ackedAt === undefined).length,
    retried,
    baselineP50Ms,
    faultToFirstAckMs: firstAck - times.faultAt,
    recoveryToSteadyMs: Math.max(0, steadyFrom - times.recoveredAt),
  };
}
