import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { EventCatalog } from './events.js';

describe('Avro schemas', () => {
  it.each(Object.entries(EventCatalog))('%s parses and round-trips a record', (_topic, schema) => {
    const type = avro.Type.forSchema(schema as unknown as avro.Schema);
    const sample = type.random();
    expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
  });

  it('names every schema uniquely', () => {
    const names = Object.values(EventCatalog).map((schema) => `${schema.namespace}.${schema.name}`);
    expect(new Set(names).size).toBe(names.length);
  });
});
