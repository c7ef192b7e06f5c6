/**
 * `pnpm bench:group`: the group scenario (group/scenario.ts) on the local stack, with one persister and two
 * gateways, so that deliveries cross gateways. `pnpm bench` runs the same scenario against its own target.
 * Usage: pnpm bench:group [--members 50] [--messages 200] [--rate 20]
 */
import { parseArgs } from 'node:util';
import { mintToken, TestSystem } from '@chat/harness';
import { loadStackConfig, stackUrls } from '@chat/stack';
import { groupMarkdown } from './report.js';
import { groupScenarioDefaults, runGroupScenario } from './scenario.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: String(groupScenarioDefaults.members) },
    messages: { type: 'string', default: String(groupScenarioDefaults.messages) },
    rate: { type: 'string', default: String(groupScenarioDefaults.rate) },
  },
});
const options = {
  members: Number(values.members),
  messages: Number(values.messages),
  rate: Number(values.rate),
};

async function main(): Promise<void> {
  const system = new TestSystem(
    { ...stackUrls(loadStackConfig()), kind: 'local' },
    { KAFKA_PARTITIONS: '6' },
  );
  try {
    await system.startPersister();
    const gateways = [await system.startGateway(), await system.startGateway()];
    const users = Array.from({ length: options.members }, (_, i) => `${system.topicPrefix}member-${i}`);
    const results = await runGroupScenario(
      gateways.map((gateway) => system.url(gateway)),
      users,
      (userId) => mintToken(userId),
      options,
    );
    process.stdout.write(`\n${groupMarkdown(results, options, gateways.length)}`);
  } finally {
    await system.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
