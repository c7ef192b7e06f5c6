import { readServiceSettings, type ServiceSettings, SettingsReader } from '@chat/runtime';

export interface PersisterConfig extends ServiceSettings {
  /** Health endpoints (/healthz, /readyz). */
  host: string;
  port: number;
  /** Conversations whose head (seq counter, latest message) the persister keeps in memory between batches. */
  conversationCacheSize: number;
  /** Members a group may have besides its creator. */
  maxGroupMembers: number;
  /** How long after sending a message its sender may edit it (enforced when the edit is stored). */
  editWindowSeconds: number;
  shutdownTimeoutMs: number;
}

export function loadPersisterConfig(env: Record<string, string | undefined>): Readonly<PersisterConfig> {
  const read = new SettingsReader(env);
  return read.done({
    ...readServiceSettings(read),
    host: read.string('PERSISTER_HOST', '0.0.0.0'),
    port: read.integer('PERSISTER_PORT', 3001, { min: 0, max: 65535 }),
    // About 1 KB each (measured with 64-character ids): the default costs some 10 MB.
    conversationCacheSize: read.integer('PERSISTER_CONVERSATION_CACHE_SIZE', 10_000, { min: 0 }),
    maxGroupMembers: read.integer('MAX_GROUP_MEMBERS', 256, { min: 1 }),
    editWindowSeconds: read.integer('EDIT_WINDOW_SECONDS', 900, { min: 0 }),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, { min: 1000 }),
  });
}
