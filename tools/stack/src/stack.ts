import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackConfig } from './config.js';
import { isPortFree, runningPid, spawnDetached, stopProcess, tailOf } from './process.js';
import { ferretdbService } from './services/ferretdb.js';
import { kafkaService } from './services/kafka.js';
import { registryService } from './services/registry.js';
import { secantusService } from './services/secantus.js';
import type { LaunchSpec, StackService } from './services/service.js';

export type StackServiceName = 'kafka' | 'registry' | 'database';

/** One of the stack's services; the database is the one CHAT_STACK_DATABASE names. */
export function stackService(name: StackServiceName, config: StackConfig): StackService {
  if (name === 'kafka') return kafkaService;
  if (name === 'registry') return registryService;
  return config.database === 'ferretdb' ? ferretdbService : secantusService;
}

/** The stack's processes in start order. */
export function services(config: StackConfig): readonly StackService[] {
  return (['kafka', 'registry', 'database'] as const).map((name) => stackService(name, config));
}

/** How to start a service on `dataDir` (installing it first if needed), for a process of one's own. */
export async function serviceLaunch(
  name: StackServiceName,
  config: StackConfig,
  dataDir: string,
): Promise<LaunchSpec> {
  const service = stackService(name, config);
  await service.install(config);
  return service.prepare(config, dataDir);
}

export class StackError extends Error {
  override readonly name = 'StackError';
}

const pidFile = (config: StackConfig, service: StackService) => join(config.stateDir, `${service.name}.pid`);
const logFile = (config: StackConfig, service: StackService) =>
  join(config.stateDir, 'logs', `${service.name}.log`);
const dataDir = (config: StackConfig, service: StackService) => join(config.stateDir, 'data', service.name);

export interface ServiceStatus {
  name: string;
  pid: number | undefined;
  ready: boolean;
  port: number;
  log: string;
}

export async function status(config: StackConfig): Promise<ServiceStatus[]> {
  return Promise.all(
    services(config).map(async (service) => {
      const pid = runningPid(pidFile(config, service));
      return {
        name: service.name,
        pid,
        ready: pid !== undefined && (await service.isReady(config)),
        port: service.port(config),
        log: logFile(config, service),
      };
    }),
  );
}

async function waitUntilReady(config: StackConfig, service: StackService, pid: number): Promise<void> {
  const deadline = Date.now() + service.startTimeoutMs;
  let delay = 200;
  while (Date.now() < deadline) {
    if (runningPid(pidFile(config, service)) !== pid) {
      throw new StackError(
        `${service.name} exited during start-up. Last log lines (${logFile(config, service)}):\n${tailOf(logFile(config, service), 30)}`,
      );
    }
    if (await service.isReady(config)) return;
    await sleep(delay);
    delay = Math.min(delay * 1.5, 2000);
  }
  throw new StackError(
    `${service.name} was not ready within ${service.startTimeoutMs / 1000}s. Last log lines:\n${tailOf(logFile(config, service), 30)}`,
  );
}

async function startService(config: StackConfig, service: StackService): Promise<boolean> {
  const file = pidFile(config, service);
  const existing = runningPid(file);
  if (existing !== undefined) {
    await waitUntilReady(config, service, existing);
    return false;
  }
  const port = service.port(config);
  if (!(await isPortFree(config.host, port))) {
    throw new StackError(
      `Port ${port} on ${config.host}, wanted by ${service.name}, is already in use by another process. ` +
        `Stop that process or choose another port with ${service.portSetting}=<port>.`,
    );
  }
  await service.install(config);
  const data = dataDir(config, service);
  const spec = await service.prepare(config, data);
  const started = Date.now();
  // Every launch names its data folder in its arguments, which tells our process apart from a reused pid.
  const pid = spawnDetached({ ...spec, logFile: logFile(config, service), pidFile: file, marker: data });
  process.stderr.write(`Starting ${service.name} (pid ${pid})…\n`);
  await waitUntilReady(config, service, pid);
  process.stderr.write(`  ${service.name} ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return true;
}

/** Starts whatever is not running yet and waits for all of it; returns the names of the services it started. */
export async function up(config: StackConfig): Promise<string[]> {
  mkdirSync(join(config.stateDir, 'logs'), { recursive: true });
  const started: string[] = [];
  try {
    for (const service of services(config)) {
      if (await startService(config, service)) started.push(service.name);
    }
  } catch (error) {
    // Leave nothing half-started behind: stop what this call started.
    await down(config, started);
    throw error;
  }
  return started;
}

/** Stops the stack's processes by their recorded pids (only `names` when given), in reverse start order. */
export async function down(config: StackConfig, names?: readonly string[]): Promise<void> {
  for (const service of [...services(config)].reverse()) {
    if (names && !names.includes(service.name)) continue;
    const outcome = await stopProcess(pidFile(config, service), 20_000);
    if (outcome !== 'not-running') process.stderr.write(`Stopped ${service.name} (${outcome}).\n`);
  }
}
