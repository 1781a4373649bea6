// Names of the embedded engines and their built-in voices (kept apart from engines.ts so that importing them loads no engine).

/** Voices built into the Flite binary (`flite -lv`). */
export const FLITE_VOICES: readonly string[] = Object.freeze(['slt', 'kal', 'kal16', 'awb', 'rms']);

/** Which engine. */
export type EngineName = 'flite' | 'espeak';

/** Longest text the embedded engines accept (characters). */
export const MAX_EMBEDDED_TEXT = 5000;
