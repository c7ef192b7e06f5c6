/** Where the integration suite's real Kafka, schema registry and MongoDB-protocol database are. */
export interface TestInfra {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  mongodbUri: string;
  /** `local` (the stack CLI's processes) or `testcontainers` (Docker images). */
  kind: 'local' | 'testcontainers';
}
