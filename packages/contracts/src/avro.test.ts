import avro from 'avsc';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { toMessageDto } from './dto.js';
import { EventCatalog, type EventsByTopic, type MessagePersisted, recordNameOf } from './events.js';
import { messagePersisted } from './fixtures.js';

/** The fields of T whose derived type is `never`: an Avro type the derivation does not map. */
type UnmappedFields<T> = { [K in keyof T]: [T[K]] extends [never] ? K : never }[keyof T];

describe('Avro schemas', () => {
  it.each(Object.entries(EventCatalog))('%s parses and round-trips a record', (_topic, schema) => {
    const type = avro.Type.forSchema(schema as unknown as avro.Schema);
    const sample = type.random();
    expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
  });

  it('names every schema uniquely', () => {
    const names = Object.keys(EventCatalog).map((topic) => recordNameOf(topic as keyof typeof EventCatalog));
    expect(new Set(names).size).toBe(names.length);
  });

  it('derives an event type for every field of every schema', () => {
    expectTypeOf<
      { [T in keyof EventsByTopic]: UnmappedFields<EventsByTopic[T]> }[keyof EventsByTopic]
    >().toBeNever();
    expectTypeOf<MessagePersisted['createdAt']>().toEqualTypeOf<number>();
    expectTypeOf<EventsByTopic['presence.gateway']['alive']>().toEqualTypeOf<boolean>();
  });
});

describe('toMessageDto', () => {
  it('is the persisted fact with its time as ISO 8601, without the members it is routed to', () => {
    const fact = messagePersisted({ seq: 3, createdAt: Date.UTC(2026, 0, 2, 3, 4, 5, 6), changeSeq: 3 });

    const { memberIds: _routing, editedAt, deletedAt, replyTo, ...fields } = fact;
    expect(toMessageDto(fact)).toEqual({ ...fields, createdAt: '2026-01-02T03:04:05.006Z' });
  });

  it('carries an edit, a deletion and a reply quote as ISO times and an object, absent when null', () => {
    const fact = messagePersisted({
      id: 'msg_2',
      conversationId: 'grp_1',
      recipientId: null,
      clientMessageId: 'c2',
      text: '',
      seq: 4,
      createdAt: Date.UTC(2026, 0, 2),
      version: 2,
      editedAt: Date.UTC(2026, 0, 2, 0, 1),
      deletedAt: Date.UTC(2026, 0, 2, 0, 2),
      replyTo: { id: 'msg_1', seq: 3, senderId: 'bob', text: '' },
      changeSeq: 9,
    });

    expect(toMessageDto(fact)).toMatchObject({
      editedAt: '2026-01-02T00:01:00.000Z',
      deletedAt: '2026-01-02T00:02:00.000Z',
      replyTo: { id: 'msg_1', seq: 3, senderId: 'bob', text: '' },
      changeSeq: 9,
    });
  });
});
