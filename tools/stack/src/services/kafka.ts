import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { BROKER_MIN_SESSION_TIMEOUT_MS, paths, type StackConfig, VERSIONS } from '../config.js';
import { runVisible } from '../process.js';
import { javaCommand, type StackService } from './service.js';

const libsDir = (config: StackConfig) => join(config.cacheDir, `kafka-${VERSIONS.kafka}`, 'libs');
const classpath = (config: StackConfig) => `${libsDir(config)}/*`;

function serverProperties(config: StackConfig, dataDir: string): string {
  const { host, kafkaPort, kafkaControllerPort } = config;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${kafkaControllerPort}`,
    `listeners=PLAINTEXT://${host}:${kafkaPort},CONTROLLER://${host}:${kafkaControllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    'num.partitions=3',
    // One node: every internal topic has a single replica.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Tests create consumer groups constantly; the default 3 s join delay would dominate their run time.
    'group.initial.rebalance.delay.ms=0',
    // A dead persister's partitions move on after the session timeout: allow sessions below Kafka's 6 s.
    `group.min.session.timeout.ms=${BROKER_MIN_SESSION_TIMEOUT_MS}`,
    '',
  ].join('\n');
}

const log4jConfig = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
`;

export const kafkaService: StackService = {
  name: 'kafka',
  portSetting: 'CHAT_STACK_KAFKA_PORT',
  port: (config) => config.kafkaPort,
  startTimeoutMs: 90_000,

  async install(config) {
    const dir = libsDir(config);
    if (existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('kafka_2.13-'))) return;
    process.stderr.write(
      `Resolving Apache Kafka ${VERSIONS.kafka} from Maven Central (~45 MB, first run only)…\n`,
    );
    await runVisible('resolving Kafka', 'mvn', [
      '-B',
      '-f',
      join(paths.javaDir, 'kafka.pom.xml'),
      `-Dkafka.version=${VERSIONS.kafka}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${dir}`,
    ]);
  },

  async prepare(config, dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const propertiesFile = join(dataDir, 'server.properties');
    const log4jFile = join(dataDir, 'log4j2.yaml');
    writeFileSync(propertiesFile, serverProperties(config, dataDir));
    writeFileSync(log4jFile, log4jConfig);
    if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
      const clusterId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
      await runVisible('formatting Kafka storage', javaCommand(), [
        '-cp',
        classpath(config),
        `-Dlog4j2.configurationFile=${log4jFile}`,
        'kafka.tools.StorageTool',
        'format',
        // The joined form: a base64url id may start with "-", which would be read as an option.
        `--cluster-id=${clusterId}`,
        '-c',
        propertiesFile,
      ]);
    }
    return {
      command: javaCommand(),
      args: [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4jFile}`,
        '-cp',
        classpath(config),
        'kafka.Kafka',
        propertiesFile,
      ],
      cwd: dataDir,
    };
  },

  async isReady(config) {
    const kafka = new Kafka({
      clientId: 'chat-stack-probe',
      brokers: [`${config.host}:${config.kafkaPort}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0 || cluster.controller === null) return false;
      // Consumer groups need the group coordinator, which the first group request brings up.
      await admin.describeGroups(['chat-stack-probe']);
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  },
};
