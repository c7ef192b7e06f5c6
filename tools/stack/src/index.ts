export {
  type DatabaseKind,
  loadStackConfig,
  type StackConfig,
  type StackUrls,
  stackUrls,
} from './config.js';
export { isDatabaseReady } from './services/database-ping.js';
export { databaseLaunch } from './stack.js';
