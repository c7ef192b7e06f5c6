import { KafkaContainer } from '@testcontainers/kafka';
import { MongoDBContainer } from '@testcontainers/mongodb';
import { GenericContainer, Wait } from 'testcontainers';
import type { TestInfra } from './infra.js';

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
