import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/**
 * Structured logs on stderr. Personal data must never reach a log line: known personal keys are
 * redacted as a second line of defence, but code should not log records or variables in the first place.
 * Tests pass a destination of their own to read the lines.
 */
export function createLogger(name: string, level: LogLevel, destination: DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['variables', '*.variables', 'authorization', '*.authorization', 'headers.authorization', 'token', 'password', '*.password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
