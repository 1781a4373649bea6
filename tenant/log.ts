// Structured logging for the tenant layer: pino loggers (JSON lines), silent unless the composition root passes one.
import { pino, type Logger } from 'pino';

export type { Logger };

/** A logger that writes nothing (the default of every tenant component, and of tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
