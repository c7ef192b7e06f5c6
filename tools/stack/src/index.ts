export {
  type DatabaseKind,
  loadStackConfig,
  type StackConfig,
  type StackUrls,
  stackUrls,
} from './config.js';
export { devAppSettings } from './dev.js';
export { type StackServiceName, serviceLaunch, stackService } from './stack.js';
