import { PrivateService } from '@chat/harness';
import type { StackServiceName } from '@chat/stack';
import { log } from './log.js';
import type { Infra } from './targets.js';
import type { Teardown } from './teardown.js';

/**
 * The run's own Kafka, schema registry and database: the local stack's definitions (its settings, as `npm start`
 * runs them) on free ports with fresh data, stopped when the run ends (also on an error or Ctrl-C). A stack
 * already running is never touched, and the CPU of these processes is the run's alone: on a shared stack the
 * broker's includes everyone else's traffic (1.2 ms per message of the relay's, which sends it none, in one run).
 */
export async function startInfra(
  dbSync: boolean,
  teardown: Teardown,
): Promise<{ infra: Infra; pids: Record<string, number> }> {
  const start = async (name: StackServiceName, options: { syncOnCommit?: boolean } = {}) => {
    const service = await PrivateService.start(name, options);
    teardown.add(`the bench's ${name}`, () => service.stop());
    log(`the bench's ${name}: pid ${service.pid}`);
    return service;
  };
  log(
    "starting the bench's own Kafka, schema registry and database (the local stack's definitions, free ports)",
  );
  const kafka = await start('kafka');
  const registry = await start('registry');
  const database = await start('database', { syncOnCommit: dbSync });
  return {
    infra: {
      kafkaBrokers: kafka.kafkaBrokers,
      schemaRegistryUrl: registry.schemaRegistryUrl,
      mongodbUri: database.uri,
    },
    pids: { kafka: kafka.pid as number, registry: registry.pid as number, mongo: database.pid as number },
  };
}
