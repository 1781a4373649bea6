// The IVR layer's typed errors: invalid flows, flow run faults, speech synthesis failures (STYLE.md "Errors and events").
import type { Fault } from './schema/json-schema.ts';

/** A flow document was refused; each fault names its JSON Pointer path (e.g. `/nodes/greet/next`). */
export class FlowValidationError extends Error {
  readonly code = 'invalid-flow';
  readonly faults: readonly Fault[];

  constructor(faults: readonly Fault[], options?: { cause?: unknown }) {
    super(`invalid flow: ${faults.map((f) => `${f.path || '/'} ${f.message}`).join('; ')}`, options);
    this.name = 'FlowValidationError';
    this.faults = faults;
  }
}

/** Why a flow stopped before its end. */
export type FlowRuntimeErrorCode =
  /** A node named by `next` (or `start`) does not exist. */
  | 'unknown-node'
  /** A node's kind has no implementation. */
  | 'unknown-kind'
  /** More steps than the step limit (a loop). */
  | 'step-limit'
  /** A node failed in a way it does not handle (a bug, a broken host). */
  | 'node-failed';

/** A running flow could not go on; the interpreter ends the call safely. */
export class FlowRuntimeError extends Error {
  readonly code: FlowRuntimeErrorCode;
  /** The node where it happened. */
  readonly node: string | undefined;

  constructor(code: FlowRuntimeErrorCode, message: string, node?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FlowRuntimeError';
    this.code = code;
    this.node = node;
  }
}

/** Why a text-to-speech request failed. */
export type TtsErrorCode =
  /** The service answered with a status ≥ 300 (`status` says which). */
  | 'http-status'
  /** No answer within the provider's timeout. */
  | 'timeout'
  /** The request failed below HTTP (DNS, connection refused, reset). */
  | 'network'
  /** The answer could not be decoded as audio. */
  | 'malformed'
  /** The caller's signal aborted the request. */
  | 'aborted'
  /** The embedded engine failed (WASM trap, worker died, empty output). */
  | 'engine'
  /** Empty or overlong text, or a voice the provider does not have. */
  | 'bad-request';

/** A synthesis failed; `provider` names the provider, `status` the HTTP status for `http-status`. */
export class TtsError extends Error {
  readonly code: TtsErrorCode;
  readonly provider: string;
  readonly status: number | undefined;

  constructor(code: TtsErrorCode, provider: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.name = 'TtsError';
    this.code = code;
    this.provider = provider;
    this.status = options?.status;
  }
}
