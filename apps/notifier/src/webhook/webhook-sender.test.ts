import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageNotification, NotificationFailed } from '@chat/contracts';
import { createLogger, createMetricsRegistry } from '@chat/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { notifierMetrics } from '../metrics.js';
import { MAX_ATTEMPTS, retryDelay, WebhookSender } from './webhook-sender.js';

const notification: MessageNotification = {
  type: 'message',
  deliveryId: 'd-1',
  recipientId: 'bob',
  conversationId: 'c1',
  conversationKind: 'one_to_one',
  messageId: 'm-1',
  seq: 1,
  senderId: 'ann',
  count: 1,
  unreadCount: 1,
  preview: 'hi',
};

/** A receiver answering each request with the next status of `statuses` (the last one from then on). */
async function receiver(statuses: number[]): Promise<{ server: Server; url: string; deliveryIds: string[] }> {
  const deliveryIds: string[] = [];
  const server = createServer((request, response) => {
    deliveryIds.push(String(request.headers['x-chat-delivery-id']));
    request.resume();
    response.statusCode = statuses[Math.min(deliveryIds.length, statuses.length) - 1] ?? 200;
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveryIds };
}

describe('WebhookSender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  /** A sender posting to a receiver that answers `statuses`; it has sent `notification`. */
  async function sending(statuses: number[], retryBaseMs = 1) {
    const target = await receiver(statuses);
    servers.push(target.server);
    const metrics = notifierMetrics(createMetricsRegistry('test'), {
      openWindows: () => 0,
      inFlight: () => 0,
    });
    const failed: NotificationFailed[] = [];
    const sender = new WebhookSender({
      url: target.url,
      secret: 'a-secret-of-16-chars',
      retryBaseMs,
      logger: createLogger({ name: 'test', level: 'silent' }),
      metrics,
      giveUp: async (record) => {
        failed.push(record);
      },
    });
    sender.send(notification);
    const outcome = async (name: string) =>
      (await metrics.notifications.get()).values.find((value) => value.labels.outcome === name)?.value ?? 0;
    return { sender, target, failed, metrics, outcome };
  }

  it('retries a failed answer with the same delivery id until one succeeds', async () => {
    const { sender, target, failed, metrics, outcome } = await sending([500, 503, 204]);
    await sender.idle();
    expect(target.deliveryIds).toEqual(['d-1', 'd-1', 'd-1']);
    expect(failed).toEqual([]);
    expect(await outcome('sent')).toBe(1);
    expect((await metrics.retries.get()).values[0]?.value).toBe(2);
  });

  it('stops at 410 Gone: neither retried nor given up', async () => {
    const { sender, target, failed, outcome } = await sending([410]);
    await sender.idle();
    expect(target.deliveryIds).toHaveLength(1);
    expect(failed).toEqual([]);
    expect(await outcome('gone')).toBe(1);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts with the notification and the last error`, async () => {
    const { sender, target, failed, outcome } = await sending([500]);
    await sender.idle();
    expect(target.deliveryIds).toHaveLength(MAX_ATTEMPTS);
    const { type: _, ...fields } = notification;
    expect(failed).toEqual([
      { ...fields, attempts: MAX_ATTEMPTS, lastError: 'HTTP 500', failedAt: expect.any(Number) },
    ]);
    expect(await outcome('dead_lettered')).toBe(1);
  });

  it('on shutdown, makes a waiting retry at once and gives it up if it fails', async () => {
    const { sender, target, failed, metrics } = await sending([500], 60_000);
    // Counted as retried: the first attempt failed and the notification waits a minute for its next.
    while ((await metrics.retries.get()).values[0]?.value !== 1) await new Promise((r) => setTimeout(r, 10));
    await sender.drain();
    expect(target.deliveryIds).toHaveLength(2);
    expect(failed.map((record) => record.attempts)).toEqual([2]);
  });
});

describe('retryDelay', () => {
  it('doubles from the base, within a quarter either way', () => {
    expect(retryDelay(1000, 1, () => 0.5)).toBe(1000);
    expect(retryDelay(1000, 2, () => 0.5)).toBe(2000);
    expect(retryDelay(1000, 7, () => 0.5)).toBe(64_000);
    expect(retryDelay(1000, 1, () => 0)).toBe(750);
    expect(retryDelay(1000, 1, () => 1)).toBe(1250);
  });
});
