export type { TestInfra } from './infra.js';
export { uniqueName } from './names.js';
export { PrivateDatabase, PrivateService } from './private-database.js';
export { type AppProcess, startApp } from './processes.js';
export { type ChatClient, connectClient } from './socket-client.js';
export { TestSystem, withDatabase } from './system.js';
export { mintToken, TEST_JWT_SECRET } from './tokens.js';
