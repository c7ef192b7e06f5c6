/** The bench's command line and its one environment variable, checked together and read once. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExternalGateway, TargetName } from './targets.js';

export const USAGE = `Usage: pnpm bench [options]

  --quick                  short steps and fewer connections (about 1.5 minutes for every target)
  --targets a,b            targets to run, of: ours, relay, kafka-relay, direct-write (default: all;
                           with --gateway-url: ours)
  --skip-connections       no idle-connection ramp
  --db-sync                the bench's own database (a private SecantusDB for ours and direct-write) fsyncs
                           its journal on every commit, as the local stack's does by default. Default: off.
                           MongoDB, which production runs, group-commits: j:true costs a batch one journal
                           flush. SecantusDB fsyncs each document, so with it on the figures measure the
                           stand-in's disk, not our pipeline
  --persisters N           run ours with N persisters in one consumer group (default 1): how the pipeline
                           scales with workers (each process's CPU is reported)
  --gateway-url URL        measure an already running gateway (http://host:port) as "ours": nothing of it
                           is started or stopped; baselines run on the local stack only if --targets names them
  --jwt-secret S           with --gateway-url, required (or BENCH_JWT_SECRET): the deployment's JWT_SECRET,
                           to sign the load generator's HS256 tokens
  --mongodb-uri URI        with --gateway-url: the deployment's database (mongodb://host:port/<database>), to
                           check every acked message is stored exactly once; without it storage is not checked
  --gateway-pid N          with --gateway-url, if the gateway runs on this machine: its Node process, for its
                           CPU and RSS from /proc; without it neither is measured
  --help                   this text

Every user and message id the run creates starts with its run tag, bench-<6 hex digits>; an external
deployment keeps those messages (the bench deletes nothing there).
`;

/** A mistake on the command line: reported in one message with every problem, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const targetNames: readonly TargetName[] = ['ours', 'relay', 'kafka-relay', 'direct-write'];

export interface BenchOptions {
  help: boolean;
  quick: boolean;
  /** Null: the default for the mode. */
  targets: TargetName[] | null;
  skipConnections: boolean;
  /** Whether the bench's private database fsyncs on every commit (`--db-sync`). */
  dbSync: boolean;
  /** Persisters of ours, in one consumer group (`--persisters`). */
  persisters: number;
  external: ExternalGateway | null;
}

/** The database named in a MongoDB connection string's path (hosts may be a comma-separated list). */
export function databaseOf(mongodbUri: string): string | null {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(mongodbUri);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

const optionSpec = {
  help: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  targets: { type: 'string' },
  'skip-connections': { type: 'boolean', default: false },
  'db-sync': { type: 'boolean', default: false },
  persisters: { type: 'string', default: '1' },
  'gateway-url': { type: 'string' },
  'jwt-secret': { type: 'string' },
  'mongodb-uri': { type: 'string' },
  'gateway-pid': { type: 'string' },
} as const;

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({ args, options: optionSpec }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The command line and the one environment variable (BENCH_JWT_SECRET), checked together, read once. */
export function readOptions(args: string[], env: NodeJS.ProcessEnv): Readonly<BenchOptions> {
  const values = parseCommandLine(args);
  const problems: string[] = [];

  let targets: TargetName[] | null = null;
  if (values.targets !== undefined) {
    const names = values.targets
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !targetNames.includes(name as TargetName));
    if (names.length === 0) problems.push('--targets names no target');
    if (unknown.length > 0)
      problems.push(`--targets: unknown ${unknown.join(', ')} (known: ${targetNames.join(', ')})`);
    targets = names as TargetName[];
  }

  let external: ExternalGateway | null = null;
  const gatewayUrl = values['gateway-url'];
  if (gatewayUrl === undefined) {
    for (const name of ['jwt-secret', 'mongodb-uri', 'gateway-pid'] as const) {
      if (values[name] !== undefined) problems.push(`--${name} needs --gateway-url`);
    }
  } else {
    let origin = '';
    try {
      const url = new URL(gatewayUrl);
      if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash)
        problems.push(`--gateway-url must be the gateway's origin, http(s)://host:port, not "${gatewayUrl}"`);
      origin = url.origin;
    } catch {
      problems.push(`--gateway-url is not a URL: "${gatewayUrl}"`);
    }
    const jwtSecret = values['jwt-secret'] ?? env.BENCH_JWT_SECRET;
    if (!jwtSecret)
      problems.push(
        "--gateway-url needs the deployment's JWT secret: pass --jwt-secret <secret> or set BENCH_JWT_SECRET",
      );
    const mongodbUri = values['mongodb-uri'] ?? null;
    if (mongodbUri !== null && databaseOf(mongodbUri) === null)
      problems.push('--mongodb-uri must name the database: mongodb://host:port/<database>');
    let gatewayPid: number | null = null;
    if (values['gateway-pid'] !== undefined) {
      gatewayPid = Number(values['gateway-pid']);
      if (!Number.isInteger(gatewayPid) || gatewayPid <= 0 || !existsSync(`/proc/${gatewayPid}`))
        problems.push(`--gateway-pid: no process ${values['gateway-pid']} on this machine`);
    }
    external = { url: origin, jwtSecret: jwtSecret ?? '', mongodbUri, gatewayPid };
  }

  const persisters = Number(values.persisters);
  if (!Number.isInteger(persisters) || persisters < 1 || persisters > 8)
    problems.push(`--persisters must be a whole number from 1 to 8, got "${values.persisters}"`);

  // --help answers even a command line with mistakes.
  if (problems.length > 0 && !values.help) throw new UsageError(problems.join('\n'));
  return Object.freeze({
    help: values.help ?? false,
    quick: values.quick ?? false,
    targets,
    skipConnections: values['skip-connections'] ?? false,
    dbSync: values['db-sync'] ?? false,
    persisters,
    external,
  });
}
