import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { loadStackConfig, type StackConfig, stackUrls } from './config.js';
import { devApps, runDev } from './dev.js';
import { down, status, up } from './stack.js';

const usage = `Usage: pnpm stack <command>

  up                  install (first run only), start and wait for Kafka, the schema registry and the database
  down                stop the processes that "up" started
  status              show each process and whether it answers
  env                 print the connection settings as environment variables
  with-stack -- CMD   run CMD against the stack, starting it first if needed and stopping only what it started
  dev                 start the stack, then one persister and one gateway (development mode, demo tokens), and
                      a notifier when NOTIFY_WEBHOOK_URL is set (with NOTIFY_WEBHOOK_SECRET)

Settings (environment): CHAT_STACK_KAFKA_PORT (9092), CHAT_STACK_KAFKA_CONTROLLER_PORT (9093),
CHAT_STACK_REGISTRY_PORT (8081), CHAT_STACK_MONGO_PORT (27017), CHAT_STACK_STATE_DIR (<repo>/.stack),
CHAT_STACK_CACHE_DIR (~/.cache/chat-stack), CHAT_STACK_DATABASE (secantus | ferretdb),
CHAT_STACK_DB_CACHE_SIZE (512M), CHAT_STACK_DB_SYNC_ON_COMMIT (true).`;

/** Connection settings in the variable names the apps and tests read. */
function connectionEnv(config: StackConfig): Record<string, string> {
  const urls = stackUrls(config);
  return {
    KAFKA_BROKERS: urls.kafkaBrokers,
    SCHEMA_REGISTRY_URL: urls.schemaRegistryUrl,
    MONGODB_URI: urls.mongodbUri,
  };
}

function printConnection(config: StackConfig): void {
  for (const [name, value] of Object.entries(connectionEnv(config)))
    process.stdout.write(`${name}=${value}\n`);
}

function runCommand(argv: string[], env: Record<string, string>): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('with-stack needs a command after --');
  return new Promise((resolveExit, rejectExit) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', rejectExit);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveExit(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadStackConfig();
  switch (command) {
    case 'up':
      await up(config);
      process.stdout.write('Local stack is up:\n');
      printConnection(config);
      return 0;
    case 'down':
      await down(config);
      return 0;
    case 'status': {
      const rows = await status(config);
      for (const row of rows) {
        const state = row.pid === undefined ? 'stopped' : row.ready ? 'ready' : 'starting or unhealthy';
        process.stdout.write(
          `${row.name.padEnd(9)} ${state.padEnd(22)} port ${row.port}${row.pid ? `  pid ${row.pid}` : ''}  log ${row.log}\n`,
        );
      }
      return rows.every((row) => row.ready) ? 0 : 3;
    }
    case 'env':
      printConnection(config);
      return 0;
    case 'with-stack': {
      const separator = rest.indexOf('--');
      const started = await up(config);
      if (started.length === 0) process.stderr.write('Using the local stack that was already running.\n');
      try {
        return await runCommand(separator >= 0 ? rest.slice(separator + 1) : rest, connectionEnv(config));
      } finally {
        await down(config, started);
      }
    }
    case 'dev': {
      // Before the stack starts: a webhook without its secret is refused at once.
      const apps = devApps(process.env);
      const started = await up(config);
      try {
        return await runDev(config, connectionEnv(config), apps);
      } finally {
        await down(config, started);
      }
    }
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
