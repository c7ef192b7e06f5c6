import { describe, expect, it } from 'vitest';
import { loadNotifierConfig } from './config.js';

const base = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/chat',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
};
const webhook = {
  NOTIFY_WEBHOOK_URL: 'https://push.example.com/hooks/chat',
  NOTIFY_WEBHOOK_SECRET: 'a-secret-of-16-chars',
};

describe('loadNotifierConfig', () => {
  it('applies the contract defaults', () => {
    expect(loadNotifierConfig({ ...base, ...webhook })).toMatchObject({
      port: 3002,
      notifierGroup: 'chat-notifier',
      coalesceMs: 5000,
      retryBaseMs: 1000,
      preview: 'on',
    });
    expect(loadNotifierConfig({ ...base, ...webhook, NOTIFY_PREVIEW: 'off' }).preview).toBe('off');
  });

  it('refuses a webhook without its secret, or a URL that is not http(s)', () => {
    const { NOTIFY_WEBHOOK_SECRET: _, ...noSecret } = webhook;
    expect(() => loadNotifierConfig({ ...base, ...noSecret })).toThrowError(
      /NOTIFY_WEBHOOK_SECRET is required/,
    );
    expect(() => loadNotifierConfig({ ...base, ...webhook, NOTIFY_WEBHOOK_URL: 'ftp://x' })).toThrowError(
      /NOTIFY_WEBHOOK_URL must be an http/,
    );
  });

  it('names every bad variable at once', () => {
    const load = () => loadNotifierConfig({ NOTIFY_COALESCE_MS: 'soon', NOTIFY_PREVIEW: 'maybe' });
    for (const name of [
      'MONGODB_URI',
      'NOTIFY_WEBHOOK_URL',
      'NOTIFY_WEBHOOK_SECRET',
      'NOTIFY_COALESCE_MS',
      'NOTIFY_PREVIEW',
    ])
      expect(load).toThrowError(name);
  });
});
