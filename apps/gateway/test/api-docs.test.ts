import { randomUUID } from 'node:crypto';
import type { MessageDto, ReadReceiptDto } from '@chat/contracts';
import { mintToken, nextMessage, sendStored, TestSystem, testInfra } from '@chat/testkit';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The documents are fetched from the running gateway: what it serves is what real traffic is checked against.
const [alice, bob] = ['dx-alice', 'dx-bob'];
const demoToken = mintToken(alice);
const system = new TestSystem(testInfra(), { DEMO_PAGE: 'on', DEMO_TOKENS: `${alice}=${demoToken}` });
let openApi: { paths: Record<string, Record<string, unknown>> };
let asyncApi: object;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
  openApi = (await (await fetch(`${system.url()}/api/v1/openapi.json`)).json()) as typeof openApi;
  asyncApi = (await (await fetch(`${system.url()}/api/v1/asyncapi.json`)).json()) as object;
  ajv.addSchema(openApi, 'openapi.json');
  ajv.addSchema(asyncApi, 'asyncapi.json');
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

function responseSchema(method: string, path: string, status: number, type: string): ValidateFunction {
  const id = `openapi.json#/${pointer('paths', path, method, 'responses', String(status), 'content', type, 'schema')}`;
  const validate = ajv.getSchema(id);
  if (!validate)
    throw new Error(`the OpenAPI document has no ${type} response ${status} for ${method} ${path}`);
  return validate;
}

/** Calls a route and checks its status, content type and body against the document. */
async function call(
  method: 'get' | 'post',
  path: string,
  query = '',
  options: { token?: string; status: number; documentedAs?: string },
) {
  const response = await fetch(`${system.url()}${path}${query}`, {
    method: method.toUpperCase(),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  expect(response.status, `${method} ${path}${query}`).toBe(options.status);
  const type = (response.headers.get('content-type') ?? '').split(';')[0] as string;
  const body = type === 'application/json' ? await response.json() : await response.text();
  const validate = responseSchema(method, options.documentedAs ?? path, options.status, type);
  expect(validate(body), `${method} ${path}${query}: ${JSON.stringify(validate.errors)}`).toBe(true);
  return body;
}

function socketSchema(channel: string, message: string): ValidateFunction {
  const validate = ajv.getSchema(
    `asyncapi.json#/${pointer('channels', channel, 'messages', message, 'payload')}`,
  );
  if (!validate) throw new Error(`the AsyncAPI document has no message ${message} on ${channel}`);
  return validate;
}

function expectValid(validate: ValidateFunction, payload: unknown): void {
  expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);
}

describe('real traffic against the API documents', () => {
  it('every HTTP route answers as the OpenAPI document says', async () => {
    const token = mintToken(alice);
    const aliceSocket = await system.connect(alice);
    const stored = await sendStored(aliceSocket, bob, 'hello bob');

    await call('post', '/api/v1/chat/convo/one-to-one', `?otherUserId=${bob}`, { token, status: 200 });
    await call('post', '/api/v1/chat/convo/one-to-one', '?otherUserId=nobody-yet', { token, status: 200 });
    await call('post', '/api/v1/chat/convo/one-to-one', '', { token, status: 400 });
    await call('post', '/api/v1/chat/convo/one-to-one', `?otherUserId=${bob}`, { status: 401 });
    const page = await call('get', '/api/v1/chat/convo/one-to-one/message', `?otherUserId=${bob}`, {
      token,
      status: 200,
    });
    expect((page as { messages: unknown }).messages).toEqual([stored]);
    await call('get', '/api/v1/chat/convo/one-to-one/message', `?otherUserId=${bob}&limit=0`, {
      token,
      status: 400,
    });
    const conversation = `/api/v1/chat/convo/${stored.conversationId}`;
    const route = '/api/v1/chat/convo/{conversationId}';
    const messageRoute = `${route}/message/{messageId}`;
    for (const [path, documentedAs] of [
      [conversation, route],
      [`${conversation}/message`, `${route}/message`],
      [`${conversation}/changes`, `${route}/changes`],
      [`${conversation}/message/${stored.id}/receipts`, `${messageRoute}/receipts`],
      [`${conversation}/message/${stored.id}/versions`, `${messageRoute}/versions`],
    ] as const) {
      await call('get', path, '', { token, status: 200, documentedAs });
      await call('get', path, '', { token: mintToken('dx-stranger'), status: 404, documentedAs });
    }
    await call('get', `${conversation}/changes`, '?after=-1', {
      token,
      status: 400,
      documentedAs: `${route}/changes`,
    });
    await call('get', `${conversation}/message/msg_none/receipts`, '', {
      token,
      status: 404,
      documentedAs: `${messageRoute}/receipts`,
    });
    const inbox = await call('get', '/api/v1/chat/convo', '', { token, status: 200 });
    expect((inbox as { conversations: unknown[] }).conversations).toHaveLength(1);
    await call('get', '/api/v1/chat/convo', '?cursor=forged', { token, status: 400 });
    await call('get', '/healthz', '', { status: 200 });
    await call('get', '/readyz', '', { status: 200 });
    await call('get', '/metrics', '', { status: 200 });
    await call('get', '/api/v1/openapi.json', '', { status: 200 });
    await call('get', '/api/v1/asyncapi.json', '', { status: 200 });
    expect(await call('get', '/', '', { status: 200 })).toContain('<main id="app">');
    expect(await call('get', '/demo/app.js', '', { status: 200 })).toContain('message:send');
    await call('get', '/demo/style.css', '', { status: 200 });
    const demo = await call('get', '/demo/config.json', '', { status: 200 });
    expect(demo).toEqual({ users: [{ userId: alice, token: demoToken }] });
  });

  it('every socket payload is as the AsyncAPI document says', async () => {
    const aliceSocket = await system.connect(alice);
    const bobSocket = await system.connect(bob);
    const send = { clientMessageId: randomUUID(), otherUserId: bob, text: 'documented' };
    expectValid(socketSchema('messageSend', 'request'), send);

    const delivered = nextMessage(bobSocket, (message) => message.clientMessageId === send.clientMessageId);
    const ack = await aliceSocket.timeout(20_000).emitWithAck('message:send', send);
    expect(ack.ok).toBe(true);
    expectValid(socketSchema('messageSend', 'ack'), ack);
    expectValid(socketSchema('messageNew', 'message'), (await delivered) satisfies MessageDto);
    const refused = await aliceSocket.timeout(20_000).emitWithAck('message:send', { ...send, text: ' ' });
    expect(refused.ok).toBe(false);
    expectValid(socketSchema('messageSend', 'ack'), refused);

    const watched = await bobSocket.timeout(10_000).emitWithAck('presence:subscribe', { userIds: [alice] });
    expectValid(socketSchema('presenceSubscribe', 'ack'), watched);
    const offline = new Promise((resolve) => bobSocket.once('presence:update', resolve));
    const receipt = new Promise<ReadReceiptDto>((resolve) => aliceSocket.once('conversation:read', resolve));
    const read = await bobSocket.timeout(20_000).emitWithAck('conversation:read', { otherUserId: alice });
    expectValid(socketSchema('conversationRead', 'ack'), read);
    expectValid(socketSchema('conversationRead', 'receipt'), await receipt);
    aliceSocket.close();
    expectValid(socketSchema('presenceUpdate', 'update'), await offline);
    const unwatched = await bobSocket
      .timeout(10_000)
      .emitWithAck('presence:unsubscribe', { userIds: [alice] });
    expectValid(socketSchema('presenceUnsubscribe', 'ack'), unwatched);
  });

  it('every payload of a message change is as the AsyncAPI document says', async () => {
    const [aliceSocket, bobSocket] = [await system.connect(alice), await system.connect(bob)];
    const message = await sendStored(aliceSocket, bob, 'to change');
    const reply = {
      clientMessageId: randomUUID(),
      otherUserId: alice,
      text: 'a reply',
      replyToId: message.id,
    };
    expectValid(socketSchema('messageSend', 'request'), reply);
    expectValid(
      socketSchema('messageSend', 'ack'),
      await bobSocket.timeout(20_000).emitWithAck('message:send', reply),
    );

    const edit = { messageId: message.id, text: 'changed', clientRequestId: randomUUID() };
    expectValid(socketSchema('messageEdit', 'request'), edit);
    const updated = new Promise((resolve) => bobSocket.once('message:updated', resolve));
    expectValid(
      socketSchema('messageEdit', 'ack'),
      await aliceSocket.timeout(20_000).emitWithAck('message:edit', edit),
    );
    expectValid(socketSchema('messageUpdated', 'update'), await updated);
    const refused = await bobSocket.timeout(20_000).emitWithAck('message:edit', edit);
    expect(refused.ok).toBe(false);
    expectValid(socketSchema('messageEdit', 'ack'), refused);

    const react = { messageId: message.id, emojis: ['👍'] };
    expectValid(socketSchema('messageReact', 'request'), react);
    expectValid(
      socketSchema('messageReact', 'ack'),
      await bobSocket.timeout(20_000).emitWithAck('message:react', react),
    );

    const hide = { messageId: message.id, scope: 'me' as const };
    expectValid(socketSchema('messageDelete', 'request'), hide);
    const hidden = new Promise((resolve) => bobSocket.once('message:hidden', resolve));
    expectValid(
      socketSchema('messageDelete', 'ack'),
      await bobSocket.timeout(20_000).emitWithAck('message:delete', hide),
    );
    expectValid(socketSchema('messageHidden', 'update'), await hidden);
    const token = mintToken(bob);
    const route = '/api/v1/chat/convo/{conversationId}';
    for (const [path, documentedAs] of [
      [`/api/v1/chat/convo/${message.conversationId}/message`, `${route}/message`],
      [`/api/v1/chat/convo/${message.conversationId}/changes`, `${route}/changes`],
    ] as const) {
      const page = (await call('get', path, '', { token, status: 200, documentedAs })) as {
        messages: object[];
      };
      expect(page.messages).toContainEqual(expect.objectContaining({ id: message.id, hiddenForMe: true }));
    }
  });
});
