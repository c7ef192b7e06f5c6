import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Versions of everything the stack downloads; bump here and nowhere else. */
export const VERSIONS = Object.freeze({
  kafka: '4.1.1',
  apicurio: '3.0.9',
  secantus: '0.5.3-beta.196',
  ferretdb: 'v1.24.0',
});

/**
 * The consumer session of the apps `npm start`, the tests and the benches run (`KAFKA_SESSION_TIMEOUT_MS`): a
 * killed persister's partitions move on about this long after its last heartbeat. 3 s with heartbeats every
 * second leaves 2 s for a busy event loop before a live member is evicted (docs/reliability.md, "Settings that
 * decide failover"). The stack's broker allows sessions down to `BROKER_MIN_SESSION_TIMEOUT_MS`.
 */
export const DEV_SESSION_TIMEOUT_MS = 3000;
/** The broker's `group.min.session.timeout.ms` (Kafka's default, 6 s, would refuse the session above). */
export const BROKER_MIN_SESSION_TIMEOUT_MS = 2000;

/** The MongoDB wire-protocol server the stack runs: SecantusDB by default, FerretDB only to compare. */
export type DatabaseKind = 'secantus' | 'ferretdb';

export interface StackConfig {
  /** Downloads and builds, reused across clones and runs. */
  readonly cacheDir: string;
  /** Data, logs and pid files of this stack. */
  readonly stateDir: string;
  readonly host: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly registryPort: number;
  readonly mongoPort: number;
  readonly database: DatabaseKind;
  /** WiredTiger cache of SecantusDB, e.g. "512M". */
  readonly databaseCacheSize: string;
  /**
   * SecantusDB fsyncs its journal at every commit. Without it, SecantusDB ignores the `j: true` our persister asks
   * for, and a SIGKILL of the database loses acked writes (apps/persister/test/database-crash.test.ts).
   */
  readonly databaseSyncOnCommit: boolean;
}

export interface StackUrls {
  readonly kafkaBrokers: string;
  readonly schemaRegistryUrl: string;
  readonly mongodbUri: string;
}

export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function port(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    problems.push(`${name} must be a port number (1-65535), got "${raw}"`);
    return fallback;
  }
  return value;
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return fallback;
}

function cacheSize(env: NodeJS.ProcessEnv, name: string, fallback: string, problems: string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^[1-9][0-9]*[MG]$/.test(raw)) return raw;
  problems.push(`${name} must be a size such as 512M or 2G, got "${raw}"`);
  return fallback;
}

/** Reads the stack's settings once; every problem is reported together. */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const problems: string[] = [];
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const config: StackConfig = {
    cacheDir: resolve(env.CHAT_STACK_CACHE_DIR || join(cacheHome, 'chat-stack')),
    stateDir: resolve(env.CHAT_STACK_STATE_DIR || join(repoRoot, '.stack')),
    host: '127.0.0.1',
    kafkaPort: port(env, 'CHAT_STACK_KAFKA_PORT', 9092, problems),
    kafkaControllerPort: port(env, 'CHAT_STACK_KAFKA_CONTROLLER_PORT', 9093, problems),
    registryPort: port(env, 'CHAT_STACK_REGISTRY_PORT', 8081, problems),
    mongoPort: port(env, 'CHAT_STACK_MONGO_PORT', 27017, problems),
    database: oneOf(env, 'CHAT_STACK_DATABASE', ['secantus', 'ferretdb'], 'secantus', problems),
    databaseCacheSize: cacheSize(env, 'CHAT_STACK_DB_CACHE_SIZE', '512M', problems),
    databaseSyncOnCommit:
      oneOf(env, 'CHAT_STACK_DB_SYNC_ON_COMMIT', ['true', 'false'], 'true', problems) === 'true',
  };
  if (problems.length > 0)
    throw new StackConfigError(`Invalid stack settings:\n  - ${problems.join('\n  - ')}`);
  return Object.freeze(config);
}

export function stackUrls(config: StackConfig): StackUrls {
  return {
    kafkaBrokers: `${config.host}:${config.kafkaPort}`,
    schemaRegistryUrl: `http://${config.host}:${config.registryPort}/apis/ccompat/v7`,
    mongodbUri: `mongodb://${config.host}:${config.mongoPort}/chat`,
  };
}

export const paths = {
  repoRoot,
  javaDir: join(repoRoot, 'tools/stack/java'),
};
