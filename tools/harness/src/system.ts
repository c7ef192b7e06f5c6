import { ChatClient, type ChatClientOptions, type ChatSocket } from '@chat/client';
import { EventBus, type EventBusOptions } from '@chat/event-bus';
import { createLogger } from '@chat/runtime';
import { DEV_SESSION_TIMEOUT_MS } from '@chat/stack';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { TestInfra } from './infra.js';
import { uniqueName } from './names.js';
import { type AppProcess, startApp } from './processes.js';
import { connectClient } from './socket-client.js';
import { mintToken, TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from './tokens.js';

/** `uri` with its path set to `database`: each test file and bench target gets a database of its own. */
export function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A whole system for one test file: its own topic prefix, consumer group and database on the shared
 * infrastructure, so files never see each other's data. `stop()` ends every process, drops the database and
 * deletes the topics and persister group: a long-lived local stack would otherwise gather hundreds of them.
 */
export class TestSystem {
  readonly topicPrefix = `${uniqueName('t')}.`;
  readonly database = uniqueName('chat').replaceAll('-', '_');
  readonly gateways: AppProcess[] = [];
  readonly persisters: AppProcess[] = [];
  readonly notifiers: AppProcess[] = [];
  private readonly sockets: ChatSocket[] = [];
  private readonly clients: ChatClient[] = [];
  private readonly buses: EventBus[] = [];
  private readonly mongo: MongoClient;
  private users = 0;

  constructor(
    readonly infra: TestInfra,
    private readonly extraEnv: Record<string, string> = {},
    /** The checkout whose apps run (this one by default): a bench compares another commit's this way. */
    private readonly appsRoot?: string,
  ) {
    this.mongo = new MongoClient(this.mongodbUri);
  }

  get mongodbUri(): string {
    return withDatabase(this.infra.mongodbUri, this.database);
  }

  get db() {
    return this.mongo.db(this.database);
  }

  private get appOptions() {
    return this.appsRoot ? { appsRoot: this.appsRoot } : {};
  }

  /** Partitions of the topics this system's apps create. */
  get partitions(): number {
    return Number(this.env().KAFKA_PARTITIONS);
  }

  private env(): Record<string, string> {
    return {
      KAFKA_BROKERS: this.infra.kafkaBrokers,
      SCHEMA_REGISTRY_URL: this.infra.schemaRegistryUrl,
      MONGODB_URI: this.mongodbUri,
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      KAFKA_PARTITIONS: '3',
      PERSISTER_CONSUMER_GROUP: `${this.topicPrefix}persister`,
      // npm start's failover setting: a killed persister is replaced after about 3 s.
      KAFKA_SESSION_TIMEOUT_MS: String(DEV_SESSION_TIMEOUT_MS),
      JWT_SECRET: TEST_JWT_SECRET,
      ...this.extraEnv,
    };
  }

  async startPersister(env: Record<string, string> = {}): Promise<AppProcess> {
    const persister = await startApp(
      'persister',
      {
        ...this.env(),
        PERSISTER_PORT: '0',
        ...env,
      },
      this.appOptions,
    );
    this.persisters.push(persister);
    return persister;
  }

  /** A notifier posting to `webhookUrl` (a receiver the test runs), in this system's notifier group. */
  async startNotifier(webhookUrl: string, env: Record<string, string> = {}): Promise<AppProcess> {
    const notifier = await startApp(
      'notifier',
      {
        ...this.env(),
        NOTIFIER_PORT: '0',
        NOTIFIER_CONSUMER_GROUP: `${this.topicPrefix}notifier`,
        NOTIFY_WEBHOOK_URL: webhookUrl,
        NOTIFY_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        ...env,
      },
      this.appOptions,
    );
    this.notifiers.push(notifier);
    return notifier;
  }

  async startGateway(env: Record<string, string> = {}): Promise<AppProcess> {
    const gateway = await startApp(
      'gateway',
      {
        ...this.env(),
        SERVER_PORT: '0',
        SERVER_HOST: '127.0.0.1',
        ...env,
      },
      this.appOptions,
    );
    this.gateways.push(gateway);
    return gateway;
  }

  url(gateway: AppProcess = this.gateways[0] as AppProcess): string {
    return `http://127.0.0.1:${gateway.port}`;
  }

  /**
   * A raw socket.io-client connection for `userId` (to the first gateway unless named), for tests of the
   * protocol itself; closed by closeClients().
   */
  async connect(userId: string, gateway?: AppProcess): Promise<ChatSocket> {
    const socket = await connectClient(this.url(gateway), { token: mintToken(userId) });
    this.sockets.push(socket);
    return socket;
  }

  /**
   * A `ChatClient` of the client library for `userId`, not yet connected, closed by closeClients(). It connects
   * to `gateway` while that runs, otherwise to the first running gateway: a client of a killed gateway finds a
   * restarted one on its new port.
   */
  chatClient(userId: string, options: Partial<ChatClientOptions> = {}, gateway?: AppProcess): ChatClient {
    const client = new ChatClient({
      url: () => this.url(gateway?.running ? gateway : this.gateways.find((app) => app.running)),
      token: mintToken(userId),
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  /**
   * `pairs` pairs of connected users named `<prefix>-<n>`, raw sockets; user 2k and 2k+1 are each other's
   * `peer`. `gatewayOf` picks each user's gateway by index (the first gateway by default).
   */
  connectPairs(
    prefix: string,
    pairs: number,
    gatewayOf: (index: number) => AppProcess | undefined = () => undefined,
  ): Promise<Array<{ userId: string; peer: string; client: ChatSocket }>> {
    return Promise.all(
      pairUp(prefix, pairs).map(async (user, index) => ({
        ...user,
        client: await this.connect(user.userId, gatewayOf(index)),
      })),
    );
  }

  /** As `connectPairs`, each user with a connected `ChatClient` of the client library. */
  clientPairs(
    prefix: string,
    pairs: number,
    gatewayOf: (index: number) => AppProcess | undefined = () => undefined,
    options: Partial<ChatClientOptions> = {},
  ): Promise<Array<{ userId: string; peer: string; client: ChatClient }>> {
    return Promise.all(
      pairUp(prefix, pairs).map(async (user, index) => {
        const client = this.chatClient(user.userId, options, gatewayOf(index));
        await client.connect();
        return { ...user, client };
      }),
    );
  }

  /** A user id no other test of any file uses: conversations never carry over from one test to the next. */
  newUser(name: string): string {
    this.users += 1;
    return `${name}-${this.users}-${this.database.slice(-8)}`;
  }

  /**
   * A started event bus on this system's topics, for a test that produces or reads events itself (a
   * redelivery, a fact downstream services see); stopped by stop(). Silent and with metrics of its own unless
   * the test passes its logger and registry.
   */
  async eventBus(
    clientId: string,
    options: Pick<EventBusOptions, 'logger' | 'metrics'> = {
      logger: createLogger({ name: clientId, level: 'silent' }),
    },
  ): Promise<EventBus> {
    const bus = new EventBus({
      brokers: this.infra.kafkaBrokers.split(','),
      schemaRegistryUrl: this.infra.schemaRegistryUrl,
      clientId,
      topicPrefix: this.topicPrefix,
      partitions: 3,
      ...options,
    });
    this.buses.push(bus);
    await bus.start();
    return bus;
  }

  /**
   * Puts the system back in shape after a test that stopped, killed or froze its processes, whether the test
   * passed or not (call it in afterEach): thaws what is frozen, and starts persisters and gateways until at
   * least `shape` of each run. New processes go to the end of `persisters` and `gateways`.
   */
  async restore(shape: { persisters: number; gateways: number }): Promise<void> {
    for (const app of [...this.persisters, ...this.gateways]) if (app.frozen) app.thaw();
    const running = (apps: AppProcess[]) => apps.filter((app) => app.running).length;
    while (running(this.persisters) < shape.persisters) await this.startPersister();
    while (running(this.gateways) < shape.gateways) await this.startGateway();
  }

  /** How many records a topic of this system holds (its base name, e.g. `delivery.<gatewayId>`); 0 if missing. */
  recordsIn(topic: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const name = `${this.topicPrefix}${topic}`;
      if (!(await admin.listTopics()).includes(name)) return 0;
      const offsets = await admin.fetchTopicOffsets(name);
      return offsets.reduce((sum, { high }) => sum + Number(high), 0);
    });
  }

  async closeClients(): Promise<void> {
    for (const socket of this.sockets.splice(0)) socket.close();
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }

  async stop(): Promise<void> {
    await this.closeClients();
    await Promise.all(this.buses.splice(0).map((bus) => bus.stop()));
    await Promise.all([...this.gateways, ...this.persisters, ...this.notifiers].map((app) => app.stop()));
    await this.db.dropDatabase().catch(() => {});
    await this.mongo.close();
    await this.deleteKafkaState().catch(() => {});
  }

  private deleteKafkaState(): Promise<void> {
    return this.withAdmin(async (admin) => {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.topicPrefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
      await admin
        .deleteGroups([`${this.topicPrefix}persister`, `${this.topicPrefix}notifier`])
        .catch(() => {});
    });
  }

  private async withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Kafka({
      brokers: this.infra.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

function pairUp(prefix: string, pairs: number): Array<{ userId: string; peer: string }> {
  return Array.from({ length: pairs * 2 }, (_, index) => ({
    userId: `${prefix}-${index}`,
    peer: `${prefix}-${index % 2 === 0 ? index + 1 : index - 1}`,
  }));
}
