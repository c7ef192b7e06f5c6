import { EventCatalog, type EventsByTopic, type EventTopic, recordNameOf } from '@chat/contracts';
import type { CodedError } from '@chat/runtime';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
// The package's index does not re-export its error classes; this is the module its encode() throws from.
import { ConfluentSchemaRegistryValidationError } from '@kafkajs/confluent-schema-registry/dist/errors.js';
import { DecodeError } from './failures.js';

/**
 * An event its topic's schema cannot carry (a field out of the Avro type's range, a missing field), or a topic
 * whose schema was never registered: a bug in whoever built the event, never a downstream outage. Sending it
 * again fails the same way, so it is not retriable.
 */
export class EventNotEncodableError extends Error implements CodedError {
  override readonly name = 'EventNotEncodableError';
  readonly code = 'EVENT_NOT_ENCODABLE';
  readonly retriable = false;
}

/** Whether `error` says an event could not be encoded (see EventNotEncodableError). */
export function isEncodingError(error: unknown): error is EventNotEncodableError {
  return error instanceof EventNotEncodableError;
}

/**
 * Avro encoding through a Confluent-compatible schema registry (magic byte, 4-byte schema id, Avro body).
 * Schemas are registered once at start-up under `<topic>-value`; decoding fetches unknown ids from the registry.
 */
const REGISTRATION_ATTEMPTS = 5;

export class RegistryCodec {
  private readonly registry: SchemaRegistry;
  private readonly schemaIds = new Map<EventTopic, number>();
  /** Full record name (`namespace.name`) of each schema id met while decoding. */
  private readonly recordNames = new Map<number, string>();

  constructor(
    private readonly registryUrl: string,
    private readonly topicName: (topic: EventTopic) => string,
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  /**
   * Sets BACKWARD compatibility on each subject, then registers the schema (a no-op when already registered).
   * Processes that start together race on a fresh registry (Apicurio answers 409 to the loser of a
   * concurrent first write), so each subject is retried a few times before start-up fails.
   */
  async registerAll(): Promise<void> {
    for (const topic of Object.keys(EventCatalog) as EventTopic[]) {
      const subject = `${this.topicName(topic)}-value`;
      for (let attempt = 1; ; attempt++) {
        try {
          this.schemaIds.set(topic, await this.registerSubject(topic, subject));
          break;
        } catch (error) {
          if (attempt >= REGISTRATION_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 100));
        }
      }
    }
  }

  private async registerSubject(topic: EventTopic, subject: string): Promise<number> {
    const response = await fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: COMPATIBILITY.BACKWARD }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      throw new Error(`schema registry refused the compatibility level of ${subject}: ${response.status}`);
    }
    const { id } = await this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(EventCatalog[topic]) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    return id;
  }

  /** Fails with EventNotEncodableError when the event does not fit its schema; anything else is the registry's. */
  async encode<T extends EventTopic>(topic: T, event: EventsByTopic[T]): Promise<Buffer> {
    const id = this.schemaIds.get(topic);
    if (id === undefined) {
      throw new EventNotEncodableError(`schema for ${topic} is not registered; call registerAll() first`);
    }
    try {
      return await this.registry.encode(id, event);
    } catch (error) {
      if (!(error instanceof ConfluentSchemaRegistryValidationError)) throw error;
      throw new EventNotEncodableError(`${topic} event does not fit its schema: ${error.message}`, {
        cause: error,
      });
    }
  }

  /**
   * Decodes a record read from `topic`, refusing one whose schema is not that topic's record (any version of
   * it: evolution keeps the record's name). Without this, a record produced to the wrong topic would be handed
   * to the topic's handler as the wrong event type. Fails with a DecodeError saying whether a retry may help:
   * only when the registry could not be asked for a schema id this process has not met yet.
   */
  async decode<T extends EventTopic>(topic: T, payload: Buffer): Promise<EventsByTopic[T]> {
    if (payload.length < 5 || payload[0] !== 0) {
      throw new DecodeError('NOT_WIRE_FORMAT', 'not in the schema registry wire format');
    }
    const id = payload.readInt32BE(1);
    const expected = recordNameOf(topic);
    const actual = await this.recordNameOf(id);
    if (actual !== expected) {
      throw new DecodeError(
        'WRONG_SCHEMA',
        `schema ${id} is ${actual}, not ${expected}, the record of ${this.topicName(topic)}`,
      );
    }
    try {
      // The schema is cached by now (recordNameOf fetched it): this reads no registry.
      return (await this.registry.decode(payload)) as EventsByTopic[T];
    } catch (cause) {
      throw new DecodeError('INVALID_BODY', `schema ${id}: ${(cause as Error).message}`, { cause });
    }
  }

  private async recordNameOf(id: number): Promise<string> {
    let name = this.recordNames.get(id);
    if (name === undefined) {
      const schema = (await this.registry.getSchema(id).catch((cause: unknown) => {
        // The registry said it has no such schema: these bytes never decode. Anything else (a refused
        // connection, a timeout, an error status) says nothing about the record: try again later.
        if ((cause as { status?: number }).status === 404)
          throw new DecodeError('UNKNOWN_SCHEMA', `schema ${id} is not in the registry`, { cause });
        throw new DecodeError(
          'REGISTRY_UNAVAILABLE',
          `schema ${id} could not be fetched: ${(cause as Error).message}`,
          { cause },
        );
      })) as { name?: string };
      name = schema.name ?? '(unnamed)';
      this.recordNames.set(id, name);
    }
    return name;
  }
}
