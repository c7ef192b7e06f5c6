import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DatabaseKind,
  databaseLaunch,
  isDatabaseReady,
  loadStackConfig,
  type StackConfig,
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
 * A database process of a test's own (the local stack's database, SecantusDB, on a free port and a fresh data
 * folder), for tests that kill, stop or restart the database: the shared stack's must never be disturbed.
 */
export class PrivateDatabase {
  private child: ChildProcess | undefined;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'chat-db-'));

  private constructor(private readonly config: StackConfig) {}

  static async start(
    options: { kind?: DatabaseKind; syncOnCommit?: boolean } = {},
  ): Promise<PrivateDatabase> {
    const stack = loadStackConfig();
    const config: StackConfig = {
      ...stack,
      mongoPort: await freePort(),
      database: options.kind ?? stack.database,
      databaseSyncOnCommit: options.syncOnCommit ?? stack.databaseSyncOnCommit,
    };
    const database = new PrivateDatabase(config);
    await database.launch();
    return database;
  }

  get uri(): string {
    return `mongodb://${this.config.host}:${this.config.mongoPort}/`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async launch(): Promise<void> {
    const spec = await databaseLaunch(this.config, this.dataDir);
    mkdirSync(testLogDir, { recursive: true });
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(testLogDir, `database-${this.config.mongoPort}.log`), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    const deadline = Date.now() + 30_000;
    while (!(await isDatabaseReady(this.config))) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `the private database exited during start-up (${child.exitCode ?? child.signalCode})`,
        );
      if (Date.now() > deadline) throw new Error('the private database was not ready within 30 s');
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

  /** Starts it again on the same port and data folder. */
  restart(): Promise<void> {
    return this.launch();
  }

  /** Stops it (SIGTERM) and deletes its data. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
