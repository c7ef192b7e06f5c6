import type { CodedError } from './errors.js';
/**
 * Reads environment variables into typed values, collecting every problem so start-up fails once,
 * naming each bad variable. Only entry files (main.ts) should hand it `process.env`.
 */
export class SettingsReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Record<string, string | undefined>) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!allowed.includes(value as T)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  integer(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}; got "${raw}"`);
      return fallback;
    }
    return value;
  }

  list(name: string, fallback?: string): string[] {
    return this.string(name, fallback)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  /** Adds a problem found by a check across several variables. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one error listing every problem; returns the frozen settings otherwise. */
  done<T extends object>(settings: T): Readonly<T> {
    if (this.problems.length > 0) {
      throw new SettingsError(`Invalid configuration:\n  - ${this.problems.join('\n  - ')}`);
    }
    return Object.freeze(settings);
  }
}

export class SettingsError extends Error implements CodedError {
  override readonly name = 'SettingsError';
  readonly code = 'INVALID_SETTINGS';
  readonly retriable = false;
}

/** The settings every service of the chat backend reads the same way: environment, logging, Kafka, MongoDB. */
export interface ServiceSettings {
  nodeEnv: 'production' | 'development' | 'test';
  logLevel: string;
  mongodbUri: string;
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  /** Prepended to every topic name: lets several deployments (or test runs) share one cluster. */
  kafkaTopicPrefix: string;
  /** Partitions of the topics a service creates when they are missing. */
  kafkaPartitions: number;
  /** The persisters' consumer group: the persister joins it, the gateway watches it for readiness. */
  persisterGroup: string;
  /**
   * How long Kafka waits for a silent consumer (killed, frozen, or a batch stuck longer than this) before its
   * partitions go elsewhere. It also bounds how long a consumer that restarts after a broker outage waits for
   * its own former membership to expire. Short means fast failover; the cost in production is that a batch
   * (or a GC or network pause) longer than this makes the group rebalance, pausing every member.
   */
  kafkaSessionTimeoutMs: number;
  kafkaProduceLingerMs: number;
}

export function readServiceSettings(read: SettingsReader): ServiceSettings {
  return {
    nodeEnv: read.oneOf('NODE_ENV', ['production', 'development', 'test'], 'development'),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    mongodbUri: read.string('MONGODB_URI'),
    kafkaBrokers: read.list('KAFKA_BROKERS'),
    schemaRegistryUrl: read.string('SCHEMA_REGISTRY_URL'),
    kafkaTopicPrefix: read.string('KAFKA_TOPIC_PREFIX', ''),
    kafkaPartitions: read.integer('KAFKA_PARTITIONS', 6, { min: 1, max: 1000 }),
    persisterGroup: read.string('PERSISTER_CONSUMER_GROUP', 'chat-persister'),
    kafkaSessionTimeoutMs: read.integer('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6000, max: 300_000 }),
    kafkaProduceLingerMs: read.integer('KAFKA_PRODUCE_LINGER_MS', 0, { min: 0, max: 1000 }),
  };
}
