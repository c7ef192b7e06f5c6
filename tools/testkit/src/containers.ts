import { createRequire } from 'node:module';
import type * as KafkaModule from '@testcontainers/kafka';
import type * as MongoModule from '@testcontainers/mongodb';
import type * as Testcontainers from 'testcontainers';
import type { TestInfra } from './infra.js';

// Loaded by the global setup: see there why packages come through Node's require.
const require = createRequire(import.meta.url);
const { KafkaContainer } = require('@testcontainers/kafka') as typeof KafkaModule;
const { MongoDBContainer } = require('@testcontainers/mongodb') as typeof MongoModule;
const { GenericContainer, Wait } = require('testcontainers') as typeof Testcontainers;

/** The same system as docker-compose.yml, from real images, for machines with a Docker engine. */
export async function startContainers(): Promise<{ infra: TestInfra; stop: () => Promise<void> }> {
  const [kafka, mongo, registry] = await Promise.all([
    new KafkaContainer('apache/kafka:4.1.1').withKraft().start(),
    new MongoDBContainer('mongo:8.0').start(),
    new GenericContainer('apicurio/apicurio-registry:3.0.9')
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
  ]);
  const infra: TestInfra = {
    kind: 'testcontainers',
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    // The single-node replica set needs directConnection from outside the container network.
    mongodbUri: `${mongo.getConnectionString()}/chat?directConnection=true`,
  };
  return {
    infra,
    stop: async () => {
      await Promise.all([kafka.stop(), mongo.stop(), registry.stop()]);
    },
  };
}
