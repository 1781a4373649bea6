// The IVR layer's logger contract: the subset of pino's Logger it calls (structured object first, message second), silent by default.

/** One log method: a structured object and a message (pino's calling convention). */
export type IvrLogFn = (obj: Record<string, unknown>, msg: string) => void;

/** What the IVR logs through; a pino Logger satisfies it. */
export interface IvrLogger {
  debug: IvrLogFn;
  info: IvrLogFn;
  warn: IvrLogFn;
  error: IvrLogFn;
}

const noop: IvrLogFn = () => {};

/** A logger that writes nothing (the default of every IVR component, and of tests). */
export const SILENT_LOGGER: IvrLogger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** A logger that keeps every entry in memory (tests and diagnostics). */
export class MemoryLogger implements IvrLogger {
  readonly entries: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string }> = [];
  readonly debug: IvrLogFn = (obj, msg) => void this.entries.push({ level: 'debug', obj, msg });
  readonly info: IvrLogFn = (obj, msg) => void this.entries.push({ level: 'info', obj, msg });
  readonly warn: IvrLogFn = (obj, msg) => void this.entries.push({ level: 'warn', obj, msg });
  readonly error: IvrLogFn = (obj, msg) => void this.entries.push({ level: 'error', obj, msg });
}
