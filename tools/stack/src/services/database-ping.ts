import { MongoClient } from 'mongodb';
import type { StackConfig } from '../config.js';

/** A real `ping` over the wire protocol: the database answers commands, not just accepts connections. */
export async function isDatabaseReady(config: StackConfig): Promise<boolean> {
  const client = new MongoClient(`mongodb://${config.host}:${config.mongoPort}/`, {
    serverSelectionTimeoutMS: 1000,
    connectTimeoutMS: 1000,
  });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}
