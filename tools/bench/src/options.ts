/** The bench's command line and its one environment variable, checked together and read once. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExternalGateway, TargetName } from './targets.js';

export const USAGE = `Usage: pnpm bench [options]

By default it measures what \`npm start\` runs (its settings, a database that syncs on commit, one gateway and
one persister) beside the bare Socket.IO relay: 1,000 sockets, 60 s of warm-up at 400 msg/s, then 20 s steps
at 320, 400, 800 ... msg/s (the relay's up to 8,000; ours' up to the relay's highest passing rate, with half
of it, the rate ours must pass), each to its first failure from 800 msg/s on, and judges issue 18's targets.
About 10 minutes. It runs its own Kafka, schema registry and database (the local stack's definitions, on free
ports) and stops them when it ends, also on an error or Ctrl-C; a local stack that is running is left alone.

  --targets a,b            targets to run, of: ours, relay, kafka-relay, direct-write (default: ours, relay;
                           with --gateway-url: ours)
  --skip-connections       no idle-connection ramp
  --help                   this text

Not the shipped configuration (the report says so in its title and at its top; never headline figures):
  --quick                  a 10 s warm-up and 3 s steps: checks the harness, or compares changes quickly
  --no-db-sync             the bench's own database (a private SecantusDB for ours and direct-write) without
                           sync-on-commit, so not durable: SecantusDB then ignores j:true
  --persisters N           ours with N persisters in one consumer group (default 1): how the pipeline scales
                           with workers (each process's CPU is reported)

Against an already running deployment, measured as "ours":
  --gateway-url URL        its gateway (http://host:port): nothing of it is started or stopped; baselines run
                           (on the bench's own Kafka and database) only if --targets names them
  --jwt-secret S           required (or BENCH_JWT_SECRET): the deployment's JWT_SECRET, to sign the load
                           generator's HS256 tokens
  --mongodb-uri URI        the deployment's database (mongodb://host:port/<database>), to check every acked
                           message is stored exactly once; without it storage is not checked
  --gateway-pid N          if the gateway runs on this machine: its Node process, for its CPU and RSS from
                           /proc; without it neither is measured

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
  /** Whether the bench's private database fsyncs on every commit (yes, as shipped, unless `--no-db-sync`). */
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
  'no-db-sync': { type: 'boolean', default: false },
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
    dbSync: !values['no-db-sync'],
    persisters,
    external,
  });
}
