export { loadStackConfig, type StackConfig, type StackUrls, stackUrls } from './config.js';
