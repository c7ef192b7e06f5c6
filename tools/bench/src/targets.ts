import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TEST_JWT_SECRET, TestSystem, withDatabase } from '@chat/harness';
import { connect } from './client.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const tsxBin = `${repoRoot}node_modules/.bin/tsx`;
/** What the servers the bench starts itself verify tokens with (the integration tests' secret). */
const JWT_SECRET = TEST_JWT_SECRET;
/** NODE_OPTIONS of every server the bench starts: the memory probe, and gc() for its after-collection samples. */
const probeImport = `--expose-gc --import=${pathToFileURL(fileURLToPath(new URL('./probe.mjs', import.meta.url))).href}`;

export type TargetName = 'ours' | 'relay' | 'direct-write' | 'kafka-relay';

export interface Infra {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  mongodbUri: string;
}

/** A running server under test: where to connect, which processes to watch, how to stop it. */
export interface RunningTarget {
  name: TargetName;
  url: string;
  /** Started elsewhere (`--gateway-url`): not started or stopped here; known only from the options. */
  external: boolean;
  /** Root pid of each process of the target (tsx wrappers included), for CPU accounting; empty if unknown. */
  components: Record<string, number>;
  /** The process whose memory the connection scenario reports (the one holding the sockets); null if unknown. */
  socketServerPid: number | null;
  /** Signs the load generator's tokens (baselines read the subject without verifying). */
  jwtSecret: string;
  /** The database its messages are stored in, for the exactly-once check; none for pure relays. */
  mongodbUri: string | null;
  /** Ours started here: the prefix of its Kafka topics, for the latency breakdown's consumer; else null. */
  topicPrefix: string | null;
  stop(): Promise<void>;
}

/** An already running gateway (and the persister behind it) to measure as "ours", from the command line. */
export interface ExternalGateway {
  url: string;
  jwtSecret: string;
  /** Its database, for the exactly-once check on storage; without it only delivery is checked. */
  mongodbUri: string | null;
  /** The gateway's Node process on this machine, for its CPU and RSS; without it neither is measured. */
  gatewayPid: number | null;
}

/**
 * Our gateway and persisters, started as the integration tests start them (real main.ts, own topic prefix,
 * group and database), with `npm start`'s settings (plan.oursSettings) and the memory probe. The gateway's
 * limits keep their defaults: the plan keeps each user under them.
 */
async function startOurs(
  infra: Infra,
  probeDir: string,
  persisterCount: number,
  settings: Record<string, string>,
): Promise<RunningTarget> {
  const system = new TestSystem(
    { ...infra, kind: 'local' },
    { ...settings, NODE_OPTIONS: probeImport, BENCH_PROBE_DIR: probeDir },
  );
  try {
    const persisters = [];
    for (let i = 0; i < persisterCount; i++) persisters.push(await system.startPersister());
    const gateway = await system.startGateway();
    return {
      name: 'ours',
      url: system.url(gateway),
      external: false,
      components: {
        gateway: gateway.child.pid as number,
        ...Object.fromEntries(
          persisters.map((persister, i) => [
            i === 0 ? 'persister' : `persister${i + 1}`,
            persister.child.pid as number,
          ]),
        ),
      },
      socketServerPid: gateway.child.pid as number,
      jwtSecret: JWT_SECRET,
      mongodbUri: system.mongodbUri,
      topicPrefix: system.topicPrefix,
      stop: () => system.stop(),
    };
  } catch (error) {
    await system.stop();
    throw error;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Runs a baseline server file under tsx, like the apps, and waits for its "<name> ready" line. */
function startBaseline(
  name: Exclude<TargetName, 'ours'>,
  env: Record<string, string>,
  probeDir: string,
  logDir: string,
): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL(`./baselines/${name}.ts`, import.meta.url));
  const child = spawn(tsxBin, ['--conditions=@chat/source', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: probeImport, BENCH_PROBE_DIR: probeDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(`${logDir}/${name}.log`);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within 60 s; see ${logDir}/${name}.log`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready; see ${logDir}/${name}.log`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === `${name} ready`) {
        clearTimeout(timer);
        resolve({ child, port: Number(entry.port) });
      }
    });
  });
}

export async function startTarget(
  name: TargetName,
  options: {
    infra: Infra;
    runTag: string;
    probeDir: string;
    logDir: string;
    persisters: number;
    oursSettings: Record<string, string>;
  },
): Promise<RunningTarget> {
  if (name === 'ours')
    return startOurs(options.infra, options.probeDir, options.persisters, options.oursSettings);
  // The run tag starts with "bench-" already.
  const database = `${options.runTag}_${name}`.replaceAll('-', '_');
  const mongodbUri = name === 'direct-write' ? withDatabase(options.infra.mongodbUri, database) : null;
  const env: Record<string, string> = {
    KAFKA_BROKERS: options.infra.kafkaBrokers,
    BENCH_TOPIC: `${options.runTag}.round-trip`,
    ...(mongodbUri ? { MONGODB_URI: mongodbUri } : {}),
  };
  const { child, port } = await startBaseline(name, env, options.probeDir, options.logDir);
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    external: false,
    components: { [name]: child.pid as number },
    socketServerPid: child.pid as number,
    jwtSecret: JWT_SECRET,
    mongodbUri,
    topicPrefix: null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(forced);
    },
  };
}

/**
 * An already running deployment as "ours". Fails fast, before any load, if the gateway is not ready or refuses
 * a token signed with the given secret. `stop` leaves it running.
 */
export async function attachExternal(gateway: ExternalGateway, runTag: string): Promise<RunningTarget> {
  let response: Response;
  try {
    response = await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a DNS error…) is its cause.
    const { message, cause } = error as Error & { cause?: Error };
    throw new Error(
      `cannot reach the gateway at ${gateway.url}/readyz: ${message}${cause ? ` (${cause.message})` : ''}`,
    );
  }
  if (!response.ok) {
    const body = (await response.text()).slice(0, 300);
    throw new Error(`the gateway at ${gateway.url} is not ready (${response.status}): ${body}`);
  }
  try {
    const client = await connect(gateway.url, `${runTag}-check`, gateway.jwtSecret, undefined);
    client.close();
  } catch (error) {
    const { message, data } = error as Error & { data?: { code?: string } };
    throw new Error(
      data?.code === 'UNAUTHORIZED'
        ? `the gateway at ${gateway.url} refused a token signed with the given secret (${message}): ` +
            `--jwt-secret / BENCH_JWT_SECRET must be the deployment's JWT_SECRET (HS256)`
        : `cannot open a Socket.IO connection to ${gateway.url}: ${message}`,
    );
  }
  const pid = gateway.gatewayPid;
  return {
    name: 'ours',
    url: gateway.url,
    external: true,
    components: pid === null ? {} : { gateway: pid },
    socketServerPid: pid,
    jwtSecret: gateway.jwtSecret,
    mongodbUri: gateway.mongodbUri,
    topicPrefix: null,
    stop: async () => {},
  };
}
