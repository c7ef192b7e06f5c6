import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DatabaseKind,
  loadStackConfig,
  type StackConfig,
  type StackServiceName,
  serviceLaunch,
  stackService,
  stackUrls,
} from '@chat/stack';
import { testLogDir } from './processes.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A process of the local stack of a test's own (the stack's own definition of the database, Kafka or the
 * registry, on free ports and a fresh data folder), for tests that kill, stop or restart it: the shared
 * stack's processes must never be disturbed.
 */
export class PrivateService {
  private child: ChildProcess | undefined;
  private frozen = false;
  private readonly dataDir: string;

  private constructor(
    private readonly name: StackServiceName,
    private readonly config: StackConfig,
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), `chat-${name}-`));
  }

  static async start(
    name: StackServiceName,
    options: { kind?: DatabaseKind; syncOnCommit?: boolean } = {},
  ): Promise<PrivateService> {
    const stack = loadStackConfig();
    const config: StackConfig = {
      ...stack,
      mongoPort: await freePort(),
      kafkaPort: await freePort(),
      kafkaControllerPort: await freePort(),
      registryPort: await freePort(),
      database: options.kind ?? stack.database,
      databaseSyncOnCommit: options.syncOnCommit ?? stack.databaseSyncOnCommit,
    };
    const service = new PrivateService(name, config);
    await service.launch();
    return service;
  }

  /** The database's URI (without a database name). */
  get uri(): string {
    return `mongodb://${this.config.host}:${this.config.mongoPort}/`;
  }

  get kafkaBrokers(): string {
    return stackUrls(this.config).kafkaBrokers;
  }

  get schemaRegistryUrl(): string {
    return stackUrls(this.config).schemaRegistryUrl;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async launch(): Promise<void> {
    const service = stackService(this.name, this.config);
    const spec = await serviceLaunch(this.name, this.config, this.dataDir);
    mkdirSync(testLogDir, { recursive: true });
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(testLogDir, `${this.name}-${service.port(this.config)}.log`), {
      flags: 'a',
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    const deadline = Date.now() + service.startTimeoutMs;
    while (!(await service.isReady(this.config))) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `the private ${this.name} exited during start-up (${child.exitCode ?? child.signalCode})`,
        );
      if (Date.now() > deadline)
        throw new Error(`the private ${this.name} was not ready within ${service.startTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** SIGKILL: a crash, with no checkpoint and no flush. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGSTOP: the process freezes, connections stay open and every request waits, until `thaw()`. */
  freeze(): void {
    this.frozen = this.child?.kill('SIGSTOP') ?? false;
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
    this.frozen = false;
  }

  /**
   * Back to running after a test that killed or froze it, whether the test passed or not (call it in
   * afterEach): thawed if frozen, restarted on its data if it exited.
   */
  async restore(): Promise<void> {
    if (this.frozen) this.thaw();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) await this.launch();
  }

  /** Starts it again on the same ports and data folder. */
  restart(): Promise<void> {
    return this.launch();
  }

  /** Stops it (SIGTERM) and deletes its data. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The database as a private process: `PrivateDatabase.start()`, then `uri`. */
export const PrivateDatabase = {
  start: (options: { kind?: DatabaseKind; syncOnCommit?: boolean } = {}) =>
    PrivateService.start('database', options),
};
export type PrivateDatabase = PrivateService;
