// Typed errors of the simulator: refused operations, bad audio specs, scenario faults (with JSON Pointer paths).

/** Why a simulator operation was refused. */
export type SimulatorErrorCode =
  | 'no-free-line'
  | 'closed'
  | 'not-registered'
  | 'bad-audio'
  | 'speech-unavailable'
  | 'invalid-state';

/** A refused simulator operation. Assert on `code`. */
export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;
  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorError';
    this.code = code;
  }
}

/** One fault in a scenario document: where (a JSON Pointer, `''` for the root) and what. */
export interface ScenarioFault {
  path: string;
  message: string;
}

/** A scenario file that does not parse (`parse`) or does not validate (`invalid`); `faults` lists each problem. */
export class ScenarioError extends Error {
  readonly code: 'parse' | 'invalid';
  readonly faults: readonly ScenarioFault[];
  constructor(code: 'parse' | 'invalid', faults: readonly ScenarioFault[], options?: { cause?: unknown }) {
    super(
      `${code === 'parse' ? 'scenario does not parse' : 'scenario is invalid'}:\n${faults.map((f) => `  ${f.path || '/'}: ${f.message}`).join('\n')}`,
      options,
    );
    this.name = 'ScenarioError';
    this.code = code;
    this.faults = faults;
  }
}
