export { type ReadinessChecks, type ReadinessReport, readiness, startHealthServer } from './health.js';
export { createLogger, type Logger } from './logger.js';
export { SettingsError, SettingsReader } from './settings.js';
export { handleShutdown, type ShutdownStep } from './shutdown.js';
