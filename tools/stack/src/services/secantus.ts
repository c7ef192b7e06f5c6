import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type StackConfig, VERSIONS } from '../config.js';
import { runVisible } from '../process.js';
import { isDatabaseReady } from './database-ping.js';
import type { StackService } from './service.js';

const installDir = (config: StackConfig) => join(config.cacheDir, `secantus-mdb-${VERSIONS.secantus}`);
const binary = (config: StackConfig) => join(installDir(config), 'bin', 'secantusd-rs');

/** rustup puts cargo in ~/.cargo/bin, which a non-login shell (CI's, say) may not have on its PATH. */
function cargoCommand(): string {
  if (process.env.CARGO) return process.env.CARGO;
  const rustupCargo = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin', 'cargo');
  return existsSync(rustupCargo) ? rustupCargo : 'cargo';
}

/**
 * SecantusDB's `secantusd-rs`: a single-node MongoDB wire-protocol server over WiredTiger, MongoDB's own
 * storage engine, with a query planner that uses our indexes. MongoDB itself is in no registry we can reach;
 * this is the local stand-in for development and tests (GPL-2.0, installed as a tool, never shipped).
 * Built from crates.io with cargo: WiredTiger's C sources compile too, so it needs cmake and a C compiler.
 */
export const secantusService: StackService = {
  name: 'mongo',
  portSetting: 'CHAT_STACK_MONGO_PORT',
  port: (config) => config.mongoPort,
  startTimeoutMs: 60_000,

  async install(config) {
    if (existsSync(binary(config))) return;
    process.stderr.write(
      `Building SecantusDB ${VERSIONS.secantus} (secantusd-rs) with cargo: about 8 minutes on 2 cores, first run only…\n`,
    );
    await runVisible('compiling SecantusDB', cargoCommand(), [
      'install',
      'secantus-mdb',
      '--version',
      VERSIONS.secantus,
      // The crate's own lock file: the same dependency versions on every machine.
      '--locked',
      // The crate declares Rust 1.98; it builds and passes our suite with the 1.95 our machines have.
      '--ignore-rust-version',
      '--root',
      installDir(config),
    ]);
  },

  async prepare(config, dataDir) {
    mkdirSync(dataDir, { recursive: true });
    return {
      command: binary(config),
      args: [
        '--host',
        config.host,
        '--port',
        String(config.mongoPort),
        '--storage-path',
        dataDir,
        // WiredTiger's cache. Its default (1G) is more than development data needs, and Kafka and the registry
        // share the machine; 512M holds every test and bench data set in memory.
        '--cache-size',
        config.databaseCacheSize,
        ...(config.databaseSyncOnCommit ? ['--sync-on-commit'] : []),
        '--log-level',
        'WARNING',
      ],
      cwd: dataDir,
    };
  },

  isReady: isDatabaseReady,
};
