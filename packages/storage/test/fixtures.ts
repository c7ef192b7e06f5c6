import { testInfra, uniqueName } from '@chat/testkit';
import mongoose from 'mongoose';
import { afterAll, beforeAll } from 'vitest';
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
