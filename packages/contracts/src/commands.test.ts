import { describe, expect, it } from 'vitest';
import { MessageDeliveredPersistedSchema, MessageDeliveredSchema } from './avro.js';
import { CommandSocketEvents, Commands, CommandsByTopic, defineCommand } from './commands.js';
import { EventCatalog } from './events.js';
import { SocketEventTable } from './socket.js';
import { Topics } from './topics.js';

const entry = {
  topic: 'example.command',
  schema: MessageDeliveredSchema,
  answer: { id: 'exampleAnswered', topic: 'example.answered', schema: MessageDeliveredPersistedSchema },
  timeout: 'deliveredNotConfirmed',
  key: 'conversationId',
} as const;

describe('Commands', () => {
  it('types each entry from its schemas, so a command without an audience, or a wrong one, does not compile', () => {
    defineCommand({ ...entry, audience: (fact) => fact.memberIds });
    // @ts-expect-error: every command says who is told of its answer.
    defineCommand(entry);
    // @ts-expect-error: the audience reads the answer's fields, and `readerId` is not one of them.
    defineCommand({ ...entry, audience: (fact) => [fact.readerId] });
    // @ts-expect-error: the key is a string field of the command, and `seq` is a number.
    defineCommand({ ...entry, key: 'seq', audience: () => [] });
  });

  it('gives every command and answer a topic of its own, with its schema in the catalogue', () => {
    const topics = Object.values(Commands).flatMap((spec) => [spec.topic, spec.answer.topic]);
    expect(new Set(topics).size).toBe(topics.length);
    for (const spec of Object.values(Commands)) {
      expect(CommandsByTopic[spec.topic]).toBe(spec);
      expect(EventCatalog[spec.topic]).toBe(spec.schema);
      expect(EventCatalog[spec.answer.topic]).toBe(spec.answer.schema);
    }
    expect(Object.keys(Topics)).toEqual(expect.arrayContaining(Object.keys(Commands)));
  });

  it('puts its socket events in the socket event table, each under an id no other event has', () => {
    const ids = Object.values(Commands).flatMap((spec) => Object.keys(spec.socket));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(SocketEventTable[id as keyof typeof SocketEventTable]).toBe(
        CommandSocketEvents[id as keyof typeof CommandSocketEvents],
      );
    }
    const events = Object.values(SocketEventTable).map((spec) => spec.event);
    expect(new Set(events).size).toBe(events.length);
  });
});
