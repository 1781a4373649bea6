// Minimal flag parsing for the CLI (node:util parseArgs with typed results).
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parses flags; throws TypeError naming an unknown or malformed flag. */
export function parseFlags<T extends FlagSpec>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    throw new TypeError(err instanceof Error ? err.message : String(err));
  }
}
