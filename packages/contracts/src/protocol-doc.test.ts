import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorCatalog } from './errors.js';
import { SocketEvents } from './socket.js';
import { KafkaHeaders, Topics } from './topics.js';

const protocol = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

describe('docs/protocol.md', () => {
  it.each(ERROR_CODES)('documents error code %s with its HTTP status and whether it is retriable', (code) => {
    const { status, retriable } = ErrorCatalog[code];
    const row = new RegExp(
      `\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|\\s*${retriable ? 'yes' : 'no'}\\s*\\|`,
    );
    expect(protocol).toMatch(row);
  });

  it.each(Object.values(SocketEvents))('documents socket event %s', (event) => {
    expect(protocol).toContain(`### \`${event}\``);
  });

  it.each(Object.values(Topics))('documents Kafka topic %s', (topic) => {
    expect(protocol).toMatch(new RegExp(`\\|\\s*\`${topic.replaceAll('.', '\\.')}\`\\s*\\|`));
  });

  it.each(Object.values(KafkaHeaders))('documents Kafka header %s', (header) => {
    expect(protocol).toContain(`\`${header}\``);
  });
});
