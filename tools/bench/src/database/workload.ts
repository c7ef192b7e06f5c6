import type { MessageSent } from '@chat/contracts';
import type { DatabaseKind } from '@chat/stack';
import {
  applyReadMarkers,
  type ChatModels,
  ConversationHeads,
  chatModels,
  ensureIndexes,
  findInboxPage,
  findMessagePage,
  findOneToOneConversation,
  oneToOneConversationId,
  storeMessageBatch,
  WriteConflictError,
} from '@chat/storage';
import mongoose from 'mongoose';
import { LatencyRecorder } from '../latency.js';
import type { LatencySummary } from '../protocol.js';

export interface DatabaseCandidate {
  label: string;
  kind: DatabaseKind;
  syncOnCommit: boolean;
}

export interface WorkloadResult {
  /** Messages stored per second, or what stalled. */
  writes: string;
  historyPage?: LatencySummary;
  unread?: LatencySummary;
  inbox?: LatencySummary;
  incApplied?: string;
  racingLost?: string;
}

const BATCH = 200;
const CONVERSATIONS = 1000;
const READS = 200;

class PhaseTimeout extends Error {}

/** Resolves with `work`, or rejects once `ms` pass: a stalled database must not stall the benchmark. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PhaseTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const pair = (n: number) => [`user-a${n}`, `user-b${n}`] as const;

function command(index: number): MessageSent {
  const conversation = index % CONVERSATIONS;
  const [a, b] = pair(conversation);
  const fromA = Math.floor(index / CONVERSATIONS) % 2 === 0;
  return {
    conversationId: oneToOneConversationId(a, b),
    senderId: fromA ? a : b,
    recipientId: fromA ? b : a,
    clientMessageId: `m${index}`,
    text: `message ${index}: ${'x'.repeat(60)}`,
    sentAt: Date.now(),
    replyToId: null,
  };
}

async function writes(models: ChatModels, messages: number, phaseTimeoutMs: number): Promise<string> {
  const heads = new ConversationHeads(10_000);
  const started = performance.now();
  let stored = 0;
  try {
    await within(
      phaseTimeoutMs,
      (async () => {
        for (let from = 0; from < messages; from += BATCH) {
          const batch = Array.from({ length: Math.min(BATCH, messages - from) }, (_, i) => command(from + i));
          await storeMessageBatch(models, batch, heads);
          stored += batch.length;
        }
      })(),
    );
  } catch (error) {
    if (!(error instanceof PhaseTimeout)) throw error;
    return `stalled: ${stored} of ${messages} in ${phaseTimeoutMs / 1000} s`;
  }
  return String(Math.round(stored / ((performance.now() - started) / 1000)));
}

async function timed(runs: number, read: (run: number) => Promise<unknown>): Promise<LatencySummary> {
  const recorder = new LatencyRecorder();
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await read(run);
    recorder.record(performance.now() - started);
  }
  return recorder.summary();
}

/** 8 writers × 25 `$inc` at once on one document: how many the database kept. */
async function concurrentIncrements(connection: mongoose.Connection): Promise<string> {
  const counters = connection.collection<{ _id: string; n: number }>('bench_counters');
  await counters.insertOne({ _id: 'counter', n: 0 });
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 25; i++) await counters.updateOne({ _id: 'counter' }, { $inc: { n: 1 } });
    }),
  );
  const applied = (await counters.findOne({ _id: 'counter' }))?.n ?? 0;
  return `${applied} of 200`;
}

/** Our read marker and our message write on one conversation at the same moment, 50 times. */
async function racingWriters(models: ChatModels): Promise<string> {
  const [a, b] = ['racer-a', 'racer-b'];
  const conversationId = oneToOneConversationId(a, b);
  const make = (n: number): MessageSent => ({
    conversationId,
    senderId: a,
    recipientId: b,
    clientMessageId: `race-${n}`,
    text: `race ${n}`,
    sentAt: Date.now(),
    replyToId: null,
  });
  await storeMessageBatch(models, [make(0)]);
  let lastReadAt = 0;
  for (let round = 1; round <= 50; round++) {
    lastReadAt = Date.UTC(2030, 0, 1) + round * 1000;
    const store = async () => {
      for (;;) {
        try {
          return await storeMessageBatch(models, [make(round)]);
        } catch (error) {
          if (!(error instanceof WriteConflictError)) throw error;
        }
      }
    };
    await Promise.all([
      store(),
      applyReadMarkers(models, [{ conversationId, readerId: b, readAt: lastReadAt }]),
    ]);
  }
  const conversation = await models.conversations.findOne({ _id: conversationId });
  const lost: string[] = [];
  if (conversation?.lastSeq !== 51) lost.push(`lastSeq ${conversation?.lastSeq} of 51`);
  const marker = conversation?.participants.find((p) => p.userId === b)?.lastReadAt?.getTime();
  if (marker !== lastReadAt) lost.push('read marker');
  return lost.length === 0 ? 'none' : lost.join(', ');
}

export async function measureDatabase(
  uri: string,
  options: { messages: number; phaseTimeoutMs: number },
): Promise<WorkloadResult> {
  const connection = await mongoose
    .createConnection(uri, { dbName: 'bench_db', writeConcern: { w: 'majority', journal: true } })
    .asPromise();
  try {
    const models = chatModels(connection);
    await ensureIndexes(models);
    process.stderr.write('  writes…\n');
    const result: WorkloadResult = { writes: await writes(models, options.messages, options.phaseTimeoutMs) };
    if (result.writes.startsWith('stalled')) return result;
    const read = <T>(work: Promise<T>) => within(options.phaseTimeoutMs, work);
    process.stderr.write('  reads…\n');
    result.historyPage = await read(
      timed(READS, (run) => findMessagePage(models, ...pair(run % CONVERSATIONS), { limit: 10 })),
    );
    result.unread = await read(
      timed(READS, (run) => findOneToOneConversation(models, ...pair(run % CONVERSATIONS))),
    );
    result.inbox = await read(
      timed(READS, (run) => findInboxPage(models, pair(run % CONVERSATIONS)[0], { limit: 20 })),
    );
    process.stderr.write('  races…\n');
    result.incApplied = await read(concurrentIncrements(connection));
    result.racingLost = await read(racingWriters(models)).catch((error: unknown) =>
      error instanceof PhaseTimeout ? 'stalled' : `failed: ${(error as Error).message}`,
    );
    return result;
  } finally {
    await connection.dropDatabase().catch(() => {});
    await connection.close();
  }
}
