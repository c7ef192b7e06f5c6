import { env, loadSettings, type SettingsOf, serviceSettings, setting, settingsSchema } from '@chat/runtime';
import { z } from 'zod';

const notifierSettings = settingsSchema({
  ...serviceSettings,
  /** Health endpoints (/healthz, /readyz, /metrics). */
  host: env.string('NOTIFIER_HOST', '0.0.0.0'),
  port: env.integer('NOTIFIER_PORT', 3002, { min: 0, max: 65535 }),
  /** The notifiers' consumer group: one group, so each conversation's facts reach one notifier. */
  notifierGroup: env.string('NOTIFIER_CONSUMER_GROUP', 'chat-notifier'),
  webhookUrl: setting(
    'NOTIFY_WEBHOOK_URL',
    z.string({ error: 'NOTIFY_WEBHOOK_URL is required' }).regex(/^https?:\/\/[^/]/, {
      error: (issue) => `NOTIFY_WEBHOOK_URL must be an http:// or https:// URL; got "${issue.input}"`,
    }),
  ),
  /** Requests nobody could verify are never sent: a URL without its secret is refused. */
  webhookSecret: setting(
    'NOTIFY_WEBHOOK_SECRET',
    z
      .string({ error: 'NOTIFY_WEBHOOK_SECRET is required with NOTIFY_WEBHOOK_URL' })
      .min(16, { error: 'NOTIFY_WEBHOOK_SECRET must be at least 16 characters' }),
  ),
  /** How long a notification waits for more messages of its conversation before it goes out. */
  coalesceMs: env.integer('NOTIFY_COALESCE_MS', 5000, { min: 0, max: 600_000 }),
  /** The first retry's delay; each next one doubles it. */
  retryBaseMs: env.integer('NOTIFY_RETRY_BASE_MS', 1000, { min: 1, max: 60_000 }),
  /** Whether the body carries the start of the message's text. */
  preview: env.oneOf('NOTIFY_PREVIEW', ['on', 'off'], 'on'),
});

export type NotifierConfig = SettingsOf<typeof notifierSettings>;

export function loadNotifierConfig(environment: Record<string, string | undefined>): NotifierConfig {
  return loadSettings(notifierSettings, environment);
}
