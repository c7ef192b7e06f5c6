import { inject } from 'vitest';
import type { TestInfra } from './infra.js';

export {
  type AppProcess,
  ChatClient,
  type ChatClientOptions,
  type ChatSocket,
  connectClient,
  DEV_SESSION_TIMEOUT_MS,
  mintToken,
  PrivateDatabase,
  PrivateService,
  startApp,
  TEST_JWT_SECRET,
  TEST_WEBHOOK_SECRET,
  type TestInfra,
  TestSystem,
  uniqueName,
  withDatabase,
} from '@chat/harness';
export { type BrowserContext, launchBrowser, type Page } from './browser.js';
export { CHROMIUM } from './chromium.js';
export {
  createGroup,
  emitWithAck,
  nextMessage,
  type SendAck,
  sendMessage,
  sendStored,
} from './clients.js';
export { type FloodOptions, type FloodSummary, floodSends } from './flood.js';
export { metricSample, scrapeMetrics } from './metrics.js';
export { TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait.js';

export function testInfra(): TestInfra {
  return inject('infra');
}
