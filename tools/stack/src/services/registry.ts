import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { paths, type StackConfig, VERSIONS } from '../config.js';
import { runVisible } from '../process.js';
import { javaCommand, type StackService } from './service.js';

const installDir = (config: StackConfig) => join(config.cacheDir, `apicurio-${VERSIONS.apicurio}`);
const runnerJar = (config: StackConfig) =>
  join(installDir(config), `apicurio-registry-app-${VERSIONS.apicurio}-runner.jar`);

/** Apicurio Registry 3 with in-memory storage; clients use its Confluent-compatible API. */
export const registryService: StackService = {
  name: 'registry',
  portSetting: 'CHAT_STACK_REGISTRY_PORT',
  port: (config) => config.registryPort,
  startTimeoutMs: 120_000,

  async install(config) {
    if (existsSync(runnerJar(config))) return;
    const dir = installDir(config);
    mkdirSync(dir, { recursive: true });
    const archive = `apicurio-registry-app-${VERSIONS.apicurio}-all.tar.gz`;
    if (!existsSync(join(dir, archive))) {
      process.stderr.write(
        `Downloading Apicurio Registry ${VERSIONS.apicurio} from Maven Central (~105 MB, first run only)…\n`,
      );
      await runVisible('downloading Apicurio Registry', 'mvn', [
        '-f',
        join(paths.javaDir, 'kafka.pom.xml'),
        'dependency:copy',
        `-Dartifact=io.apicurio:apicurio-registry-app:${VERSIONS.apicurio}:tar.gz:all`,
        `-DoutputDirectory=${dir}`,
      ]);
    }
    await runVisible('unpacking Apicurio Registry', 'tar', ['-xzf', archive], { cwd: dir });
  },

  async prepare(config, dataDir) {
    mkdirSync(dataDir, { recursive: true });
    return {
      command: javaCommand(),
      args: [
        '-Xms64m',
        '-Xmx384m',
        '-XX:TieredStopAtLevel=1',
        `-Dchat.stack.data=${dataDir}`,
        `-Dquarkus.http.host=${config.host}`,
        `-Dquarkus.http.port=${config.registryPort}`,
        // Access logs of every schema lookup would drown the useful lines.
        '-Dquarkus.http.access-log.enabled=false',
        '-jar',
        runnerJar(config),
      ],
      cwd: dataDir,
    };
  },

  async isReady(config) {
    try {
      const response = await fetch(`http://${config.host}:${config.registryPort}/apis/ccompat/v7/subjects`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.status === 200;
    } catch {
      return false;
    }
  },
};
