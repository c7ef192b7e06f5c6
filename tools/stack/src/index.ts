export {
  BROKER_MIN_SESSION_TIMEOUT_MS,
  type DatabaseKind,
  DEV_SESSION_TIMEOUT_MS,
  loadStackConfig,
  type StackConfig,
  type StackUrls,
  stackUrls,
} from './config.js';
export { devAppSettings } from './dev.js';
export { type StackServiceName, serviceLaunch, stackService } from './stack.js';
