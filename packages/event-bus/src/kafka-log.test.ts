import { createRequire } from 'node:module';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { EXPECTED_BROKER_ANSWERS, kafkaLogLevel } from './kafka-log.js';

// KafkaJS's table of broker error codes (internal, but KafkaJS is in maintenance mode): the messages we match must
// be its messages, or the matching silently stops working.
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error') as {
  errorCodes: Array<{ type: string; message: string }>;
};

/** A KafkaJS log entry of an error answer from a broker. */
const answer = (message: string, error: string) => ({ message, error, timestamp: '', logger: 'kafkajs' });

describe('kafkaLogLevel', () => {
  it.each([...EXPECTED_BROKER_ANSWERS])('knows "%s" as KafkaJS\'s %s', (message, type) => {
    expect(errorCodes.find((code) => code.type === type)?.message).toBe(message);
  });

  it("logs the coordinator loading on a fresh broker's InitProducerId at info, not error", () => {
    const log = answer(
      'Response InitProducerId(key: 22, version: 1)',
      "The coordinator is loading and hence can't process requests for this group",
    );
    expect(kafkaLogLevel({ level: logLevel.ERROR, log })).toBe('info');
  });

  it("keeps KafkaJS's level for anything else", () => {
    const log = answer('Response Produce', 'Broker: Message was too large');
    expect(kafkaLogLevel({ level: logLevel.ERROR, log })).toBe('error');
    expect(kafkaLogLevel({ level: logLevel.WARN, log })).toBe('warn');
    expect(kafkaLogLevel({ level: logLevel.INFO, log })).toBe('debug');
  });
});
