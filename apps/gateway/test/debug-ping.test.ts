import { emitWithAck, TestSystem, testInfra } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const system = new TestSystem(testInfra());

beforeAll(async () => {
  await Promise.all([system.startPersister(), system.startGateway()]);
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

describe('debug:ping (the stand-in command)', () => {
  it('is answered by the persister through Kafka', async () => {
    const client = await system.connect(system.newUser('alice'));
    const ack = await emitWithAck(client, 'debug:ping', { nonce: 'n-1' });
    expect(ack).toEqual({ ok: true, nonce: 'n-1', answeredAt: expect.any(String) });
  });

  it('refuses a bad payload with VALIDATION_FAILED', async () => {
    const client = await system.connect(system.newUser('alice'));
    for (const payload of [{}, { nonce: '' }, { nonce: 'n', extra: 1 }]) {
      const ack = await emitWithAck(client, 'debug:ping', payload);
      expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
  });
});
