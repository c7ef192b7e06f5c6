export {
  type DatabaseKind,
  loadStackConfig,
  type StackConfig,
  type StackUrls,
  stackUrls,
} from './config.js';
export { devAppSettings } from './dev.js';
export { down, type StackServiceName, serviceLaunch, stackService, status, up } from './stack.js';
