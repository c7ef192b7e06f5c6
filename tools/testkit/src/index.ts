import { inject } from 'vitest';
import type { TestInfra } from './infra.js';

export {
  type AppProcess,
  type ChatClient,
  connectClient,
  mintToken,
  PrivateDatabase,
  PrivateService,
  startApp,
  TEST_JWT_SECRET,
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
  sendUntilStored,
} from './clients.js';
export { type FloodOptions, type FloodSummary, floodSends } from './flood.js';
export { metricSample, scrapeMetrics } from './metrics.js';
export { TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait.js';

export function testInfra(): TestInfra {
  return inject('infra');
}
