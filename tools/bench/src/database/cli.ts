/**
 * `pnpm bench:db`: our storage workload, driver-level, against each local database candidate, in one sitting.
 * Each candidate runs as a private process on a free port (never the shared stack's database):
 *   writes   our persister's batch write (storeMessageBatch: 200 commands a batch, 1,000 conversations)
 *   reads    a history page, a conversation with its unread count, an inbox page (our HTTP read paths)
 *   races    8 writers × 25 concurrent `$inc` on one document, and our read marker racing our message write
 * Usage: pnpm bench:db [--messages 4000] [--databases secantus,secantus-nosync,ferretdb]
 */
import { parseArgs } from 'node:util';
import { PrivateDatabase } from '@chat/harness';
import { type DatabaseCandidate, measureDatabase, type WorkloadResult } from './workload.js';

const CANDIDATES: Record<string, DatabaseCandidate> = {
  secantus: { label: 'SecantusDB, sync on commit (stack default)', kind: 'secantus', syncOnCommit: true },
  'secantus-nosync': { label: 'SecantusDB, no sync on commit', kind: 'secantus', syncOnCommit: false },
  ferretdb: { label: 'FerretDB 1.24 (SQLite)', kind: 'ferretdb', syncOnCommit: false },
};

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    databases: { type: 'string', default: 'secantus,secantus-nosync,ferretdb' },
    'phase-timeout-s': { type: 'string', default: '120' },
  },
});
const messages = Number(values.messages);
const phaseTimeoutMs = Number(values['phase-timeout-s']) * 1000;
const names = values.databases.split(',').filter(Boolean);
for (const name of names) {
  if (!CANDIDATES[name])
    throw new Error(`unknown database "${name}"; known: ${Object.keys(CANDIDATES).join(', ')}`);
}

const results: Array<{ candidate: DatabaseCandidate; result: WorkloadResult }> = [];
for (const name of names) {
  const candidate = CANDIDATES[name] as DatabaseCandidate;
  process.stderr.write(`\n${candidate.label}: starting a private instance…\n`);
  const database = await PrivateDatabase.start({
    kind: candidate.kind,
    syncOnCommit: candidate.syncOnCommit,
  });
  try {
    results.push({ candidate, result: await measureDatabase(database.uri, { messages, phaseTimeoutMs }) });
  } finally {
    await database.stop();
  }
}

const cell = (value: string | number | undefined) => (value === undefined ? '—' : String(value));
const rows: Array<[string, (r: WorkloadResult) => string]> = [
  ['persister-shaped writes (msg/s)', (r) => r.writes],
  ['history page p50 / p99 (ms)', (r) => `${cell(r.historyPage?.p50)} / ${cell(r.historyPage?.p99)}`],
  ['conversation + unread count p50 / p99 (ms)', (r) => `${cell(r.unread?.p50)} / ${cell(r.unread?.p99)}`],
  ['inbox page p50 / p99 (ms)', (r) => `${cell(r.inbox?.p50)} / ${cell(r.inbox?.p99)}`],
  ['8 × 25 concurrent `$inc` on one document: applied', (r) => cell(r.incApplied)],
  ['read marker racing message writes: lost updates', (r) => cell(r.racingLost)],
];
const header = `| | ${results.map(({ candidate }) => candidate.label).join(' | ')} |`;
const lines = [
  `Storage workload, ${messages} messages (${new Date().toISOString()})`,
  '',
  header,
  `|---|${results.map(() => '---').join('|')}|`,
  ...rows.map(([label, pick]) => `| ${label} | ${results.map(({ result }) => pick(result)).join(' | ')} |`),
];
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(0);
