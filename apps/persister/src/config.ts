import { env, loadSettings, type SettingsOf, serviceSettings, settingsSchema } from '@chat/runtime';

const persisterSettings = settingsSchema({
  ...serviceSettings,
  /** Health endpoints (/healthz, /readyz). */
  host: env.string('PERSISTER_HOST', '0.0.0.0'),
  port: env.integer('PERSISTER_PORT', 3001, { min: 0, max: 65535 }),
  /**
   * Conversations whose head (seq counter, latest message) the persister keeps in memory between batches: about
   * 1 KB each (measured with 64-character ids), so the default costs some 10 MB.
   */
  conversationCacheSize: env.integer('PERSISTER_CONVERSATION_CACHE_SIZE', 10_000, { min: 0 }),
  /** Members a group may have besides its creator. */
  maxGroupMembers: env.integer('MAX_GROUP_MEMBERS', 256, { min: 1 }),
  /** How long after sending a message its sender may edit it (enforced when the edit is stored). */
  editWindowSeconds: env.integer('EDIT_WINDOW_SECONDS', 900, { min: 0 }),
});

export type PersisterConfig = SettingsOf<typeof persisterSettings>;

export function loadPersisterConfig(environment: Record<string, string | undefined>): PersisterConfig {
  return loadSettings(persisterSettings, environment);
}
