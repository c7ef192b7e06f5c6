export { type CodedError, isRetriable } from './errors.js';
export { type ReadinessChecks, type ReadinessReport, readiness, startHealthServer } from './health.js';
export { createLogger, type Logger } from './logger.js';
export { createMetricsRegistry, metricsScrapeAllowed } from './metrics.js';
export { pollUntil } from './poll.js';
export {
  type CrossCheck,
  env,
  loadSettings,
  type Setting,
  SettingsError,
  type SettingsOf,
  serviceSettings,
  setting,
  settingsSchema,
  withChecks,
} from './settings.js';
export { handleShutdown, type ShutdownStep } from './shutdown.js';
