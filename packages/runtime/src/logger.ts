import { type Logger, pino, stdSerializers } from 'pino';

export type { Logger } from 'pino';

export function createLogger(options: { name: string; level: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    serializers: { err: stdSerializers.err, error: stdSerializers.err },
    redact: { paths: ['req.headers.authorization', 'token', '*.token'], censor: '[redacted]' },
  });
}
