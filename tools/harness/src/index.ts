export { ChatClient, type ChatClientOptions } from '@chat/client';
export { DEV_SESSION_TIMEOUT_MS } from '@chat/stack';
export type { TestInfra } from './infra.js';
export { uniqueName } from './names.js';
export { PrivateDatabase, PrivateService } from './private-database.js';
export { type AppProcess, startApp } from './processes.js';
export { type ChatSocket, connectClient } from './socket-client.js';
export { TestSystem, withDatabase } from './system.js';
export { mintToken, TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from './tokens.js';
