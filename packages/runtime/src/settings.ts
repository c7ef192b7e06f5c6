import { type ZodType, z } from 'zod';
import type { CodedError } from './errors.js';

/** One setting: the environment variable it is read from, and the schema its value must pass. */
export interface Setting<S extends ZodType = ZodType> {
  readonly variable: string;
  readonly schema: S;
}

export function setting<S extends ZodType>(variable: string, schema: S): Setting<S> {
  return { variable, schema };
}

/**
 * The schema of a service's settings, field by field: each field names its variable, default and bounds once,
 * and its type is what the schema gives. A variable's value is trimmed, and empty counts as unset.
 */
export function settingsSchema<F extends Record<string, Setting>>(fields: F) {
  const entries = Object.entries(fields);
  const shape = Object.fromEntries(entries.map(([field, { schema }]) => [field, schema])) as {
    [K in keyof F]: F[K]['schema'];
  };
  return z.preprocess((env) => {
    const values = env as Record<string, string | undefined>;
    return Object.fromEntries(
      entries.map(([field, { variable }]) => [field, values[variable]?.trim() || undefined]),
    );
  }, z.object(shape));
}

/** The usual kinds of setting; each message names its variable, as start-up reports them all at once. */
export const env = {
  /** Required unless it has a fallback; `rule` says what the value must look like. */
  string(variable: string, fallback?: string, rule?: { pattern: RegExp; are: string }) {
    const required = z.string({ error: `${variable} is required` });
    const value = rule
      ? required.regex(rule.pattern, {
          error: (issue) => `${variable} must be ${rule.are}; got "${issue.input}"`,
        })
      : required;
    return setting(variable, fallback === undefined ? value : value.default(fallback));
  },

  optionalString(variable: string, { minLength = 0 } = {}) {
    const error = `${variable} must be at least ${minLength} characters`;
    return setting(variable, z.string().min(minLength, { error }).optional());
  },

  integer(variable: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
    const error = (issue: { input: unknown }) =>
      `${variable} must be an integer from ${min} to ${max}; got "${issue.input}"`;
    return setting(
      variable,
      z
        .string()
        .regex(/^[+-]?\d+$/, { error })
        .transform(Number)
        .pipe(z.number().min(min, { error }).max(max, { error }))
        .default(fallback),
    );
  },

  /** Unset, the fallback; without one, undefined. */
  oneOf<const T extends readonly [string, ...string[]], F extends T[number] | undefined>(
    variable: string,
    allowed: T,
    fallback: F,
  ) {
    const value = z.enum(allowed, {
      error: (issue) => `${variable} must be one of ${allowed.join(', ')}; got "${issue.input}"`,
    });
    return setting(
      variable,
      (fallback === undefined ? value.optional() : value.default(fallback as never)) as ZodType<
        T[number] | F,
        string | undefined
      >,
    );
  },

  /** Comma-separated; required unless it has a fallback, and each item matches `items` when given. */
  list(variable: string, fallback?: string, items?: { pattern: RegExp; are: string }) {
    const split = (value: string) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    const error = `${variable} must be a comma-separated list of ${items?.are}`;
    const value = z
      .string({ error: `${variable} is required` })
      .transform(split)
      .pipe(z.array(items ? z.string().regex(items.pattern, { error }) : z.string()));
    return setting(variable, fallback === undefined ? value : value.default(split(fallback)));
  },
};

/** A check across several settings: the fields it reads, and the problem it finds in them, if any. */
export interface CrossCheck<T> {
  reads: ReadonlyArray<keyof T & string>;
  problem: (settings: T) => string | undefined;
}

/**
 * Adds checks across settings to a settings schema. Each runs whenever the fields it reads are valid, even if
 * others are not, so one start-up still reports every problem.
 */
export function withChecks<S extends ZodType<object>>(
  schema: S,
  checks: ReadonlyArray<CrossCheck<z.output<S>>>,
) {
  let checked = schema;
  for (const { reads, problem } of checks) {
    checked = checked.superRefine(
      (settings, context) => {
        const message = problem(settings);
        if (message !== undefined) context.addIssue({ code: 'custom', message });
      },
      { when: ({ issues }) => !issues.some((issue) => reads.includes(issue.path?.[0] as never)) },
    );
  }
  return checked;
}

/** The settings a schema gives: what `loadSettings` returns. */
export type SettingsOf<S extends ZodType> = Readonly<z.output<S>>;

/** Parses the environment with a settings schema: the frozen settings, or one error naming every problem. */
export function loadSettings<S extends ZodType>(
  schema: S,
  environment: Record<string, string | undefined>,
): SettingsOf<S> {
  const result = schema.safeParse(environment);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message);
    throw new SettingsError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(result.data);
}

export class SettingsError extends Error implements CodedError {
  override readonly name = 'SettingsError';
  readonly code = 'INVALID_SETTINGS';
  readonly retriable = false;
}

/** The settings every service of the chat backend reads the same way: environment, logging, Kafka, MongoDB. */
export const serviceSettings = {
  nodeEnv: env.oneOf('NODE_ENV', ['production', 'development', 'test'], 'development'),
  logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  mongodbUri: env.string('MONGODB_URI'),
  kafkaBrokers: env.list('KAFKA_BROKERS'),
  schemaRegistryUrl: env.string('SCHEMA_REGISTRY_URL'),
  /** Prepended to every topic name: lets several deployments (or test runs) share one cluster. */
  kafkaTopicPrefix: env.string('KAFKA_TOPIC_PREFIX', ''),
  /** Partitions of the topics a service creates when they are missing. */
  kafkaPartitions: env.integer('KAFKA_PARTITIONS', 6, { min: 1, max: 1000 }),
  /** The persisters' consumer group: the persister joins it, the gateway watches it for readiness. */
  persisterGroup: env.string('PERSISTER_CONSUMER_GROUP', 'chat-persister'),
  /**
   * How long Kafka waits for a silent consumer (killed, or frozen longer than this) before its partitions go
   * elsewhere. It also bounds how long a consumer that restarts after a broker outage waits for its own former
   * membership to expire. Short means fast failover; the cost is that an event loop or network stalled longer
   * than two thirds of it makes the group rebalance, pausing every member. 10 s is no longer than the gateway's
   * `SEND_ACK_TIMEOUT_MS`, so a send caught by a crash is acked on its first resend; below Kafka's 6 s the
   * broker's `group.min.session.timeout.ms` must allow it (docs/reliability.md).
   */
  kafkaSessionTimeoutMs: env.integer('KAFKA_SESSION_TIMEOUT_MS', 10_000, { min: 2000, max: 300_000 }),
  kafkaProduceLingerMs: env.integer('KAFKA_PRODUCE_LINGER_MS', 0, { min: 0, max: 1000 }),
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`; unset, it answers anyone. */
  metricsToken: env.optionalString('METRICS_TOKEN', { minLength: 16 }),
  shutdownTimeoutMs: env.integer('SHUTDOWN_TIMEOUT_MS', 15_000, { min: 1000 }),
  /**
   * A gateway silent this long is dead: its users are offline (gateways), and no fact is routed to it any more
   * (persisters). Every process must use the same value.
   */
  presenceTtlMs: env.integer('PRESENCE_TTL_MS', 15_000, { min: 1000 }),
};
