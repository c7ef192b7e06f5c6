export {
  type DatabaseKind,
  loadStackConfig,
  type StackConfig,
  type StackUrls,
  stackUrls,
} from './config.js';
export { type StackServiceName, serviceLaunch, stackService } from './stack.js';
