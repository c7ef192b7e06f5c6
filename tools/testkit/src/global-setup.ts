import { createRequire } from 'node:module';
import { loadStackConfig, stackUrls } from '@chat/stack';
import type * as KafkaJs from 'kafkajs';
import type * as MongoDb from 'mongodb';
import type { TestProject } from 'vitest/node';
import { ensureChromium } from './chromium.js';
import type { TestInfra } from './infra.js';

// Vitest resolves a global setup's bare imports from the workspace root, where pnpm (rightly) puts no
// packages; Node's own resolution from this file finds this package's dependencies.
const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof KafkaJs;
const { MongoClient } = require('mongodb') as typeof MongoDb;

/**
 * Once per run, before any test: installs the browser the browser tests drive (minutes on a first run, with a
 * progress line; a failure is left for those tests to report), and chooses the infrastructure.
 * CHAT_TEST_INFRA=testcontainers starts real images with Docker; otherwise (the default) the suite uses the
 * local stack, whose URLs `pnpm stack with-stack` puts in the env.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('browserSetupProblem', installBrowser());
  if (process.env.CHAT_TEST_INFRA === 'testcontainers') {
    const { startContainers } = await import('./containers.js');
    const { infra, stop } = await startContainers();
    project.provide('infra', infra);
    return stop;
  }
  const urls = stackUrls(loadStackConfig());
  const infra: TestInfra = {
    kind: 'local',
    kafkaBrokers: process.env.KAFKA_BROKERS ?? urls.kafkaBrokers,
    schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL ?? urls.schemaRegistryUrl,
    mongodbUri: process.env.MONGODB_URI ?? urls.mongodbUri,
  };
  await assertReachable(infra);
  project.provide('infra', infra);
  return undefined;
}

async function assertReachable(infra: TestInfra): Promise<void> {
  const problems: string[] = [];
  const admin = new Kafka({
    brokers: infra.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  }).admin();
  await admin
    .connect()
    .then(() => admin.describeCluster())
    .catch(() => problems.push(`Kafka at ${infra.kafkaBrokers}`))
    .finally(() => admin.disconnect());
  await fetch(`${infra.schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(3000) })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
    })
    .catch(() => problems.push(`schema registry at ${infra.schemaRegistryUrl}`));
  const mongo = new MongoClient(infra.mongodbUri, { serverSelectionTimeoutMS: 3000 });
  await mongo
    .db()
    .command({ ping: 1 })
    .catch(() => problems.push(`database at ${infra.mongodbUri}`))
    .finally(() => mongo.close());
  if (problems.length > 0) {
    throw new Error(
      `The integration suite needs the local stack, but cannot reach: ${problems.join(', ')}.\n` +
        'Run the tests with `pnpm test` (it starts the stack), or start it with `pnpm stack up`.',
    );
  }
}

/** Installs Chromium if missing; returns why it could not, without failing the tests that need no browser. */
function installBrowser(): string | undefined {
  try {
    ensureChromium((line) => process.stdout.write(`${line}\n`));
    return undefined;
  } catch (error) {
    const problem = `installing chromium failed (${(error as Error).message.split('\n')[0]})`;
    process.stdout.write(`Browser tests: ${problem}; they will fail, the others run.\n`);
    return problem;
  }
}
