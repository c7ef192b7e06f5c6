import type { MessagePersisted, MessageSent } from '@chat/contracts';
import { testInfra, uniqueName } from '@chat/testkit';
import mongoose from 'mongoose';
import { afterAll, beforeAll } from 'vitest';
import type { StoredBatch } from '../src/message-writes.js';
import { type ChatModels, chatModels, ensureIndexes } from '../src/models.js';

/**
 * The models on a database of this test file's own, with the indexes built, dropped after the file: call at
 * the top of a file and read the returned getter inside tests.
 */
export function useTestModels(name: string): () => ChatModels {
  let connection: mongoose.Connection;
  let models: ChatModels | undefined;
  beforeAll(async () => {
    connection = await mongoose
      .createConnection(testInfra().mongodbUri, { dbName: uniqueName(name).replaceAll('-', '_') })
      .asPromise();
    models = chatModels(connection);
    await ensureIndexes(models);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });
  return () => {
    if (!models) throw new Error('useTestModels: the models are ready only inside tests');
    return models;
  };
}

/** The stored messages of a batch's outcomes, in command order, leaving out the refused commands. */
export function storedMessages<C extends MessageSent>(batch: StoredBatch<C>): MessagePersisted[] {
  return batch.outcomes.flatMap((outcome) => ('message' in outcome ? [outcome.message] : []));
}
