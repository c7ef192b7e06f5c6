import { inject } from 'vitest';
import type { TestInfra } from './infra.js';

export { type BrowserContext, launchBrowser, type Page } from './browser.js';
export { CHROMIUM } from './chromium.js';
export {
  type ChatClient,
  connectClient,
  createGroup,
  emitWithAck,
  nextMessage,
  type SendAck,
  sendMessage,
  sendStored,
  sendUntilStored,
} from './clients.js';
export { type FloodOptions, type FloodSummary, floodSends } from './flood.js';
export type { TestInfra } from './infra.js';
export { metricSample, scrapeMetrics } from './metrics.js';
export { uniqueName } from './names.js';
export { PrivateDatabase, PrivateService } from './private-database.js';
export { type AppProcess, startApp } from './processes.js';
export { mintToken, TEST_JWT_SECRET, TEST_WEBHOOK_SECRET, TestSystem, withDatabase } from './system.js';
export { TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait.js';

export function testInfra(): TestInfra {
  return inject('infra');
}
