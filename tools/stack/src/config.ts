import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Versions of everything the stack downloads; bump here and nowhere else. */
export const VERSIONS = Object.freeze({
  kafka: '4.1.1',
  apicurio: '3.0.9',
  ferretdb: 'v1.24.0',
});

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
