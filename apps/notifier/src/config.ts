import { readServiceSettings, type ServiceSettings, SettingsReader } from '@chat/runtime';

export interface NotifierConfig extends ServiceSettings {
  /** Health endpoints (/healthz, /readyz, /metrics). */
  host: string;
  port: number;
  /** The notifiers' consumer group: one group, so each conversation's facts reach one notifier. */
  notifierGroup: string;
  webhookUrl: string;
  webhookSecret: string;
  /** How long a notification waits for more messages of its conversation before it goes out. */
  coalesceMs: number;
  /** The first retry's delay; each next one doubles it. */
  retryBaseMs: number;
  /** Whether the body carries the start of the message's text. */
  preview: boolean;
  shutdownTimeoutMs: number;
}

function readWebhookSettings(read: SettingsReader): { webhookUrl: string; webhookSecret: string } {
  const webhookUrl = read.string('NOTIFY_WEBHOOK_URL');
  if (webhookUrl !== '' && !/^https?:\/\/[^/]/.test(webhookUrl)) {
    read.problem(`NOTIFY_WEBHOOK_URL must be an http:// or https:// URL; got "${webhookUrl}"`);
  }
  const webhookSecret = read.optionalString('NOTIFY_WEBHOOK_SECRET') ?? '';
  if (webhookSecret.length < 16) {
    read.problem('NOTIFY_WEBHOOK_SECRET is required with NOTIFY_WEBHOOK_URL (at least 16 characters)');
  }
  return { webhookUrl, webhookSecret };
}

export function loadNotifierConfig(env: Record<string, string | undefined>): Readonly<NotifierConfig> {
  const read = new SettingsReader(env);
  return read.done({
    ...readServiceSettings(read),
    ...readWebhookSettings(read),
    host: read.string('NOTIFIER_HOST', '0.0.0.0'),
    port: read.integer('NOTIFIER_PORT', 3002, { min: 0, max: 65535 }),
    notifierGroup: read.string('NOTIFIER_CONSUMER_GROUP', 'chat-notifier'),
    coalesceMs: read.integer('NOTIFY_COALESCE_MS', 5000, { min: 0, max: 600_000 }),
    retryBaseMs: read.integer('NOTIFY_RETRY_BASE_MS', 1000, { min: 1, max: 60_000 }),
    preview: read.oneOf('NOTIFY_PREVIEW', ['on', 'off'], 'on') === 'on',
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, { min: 1000 }),
  });
}
