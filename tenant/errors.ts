// The tenant layer's typed errors: validation, conflict, not found, refusals — each with a `code` and an HTTP status the admin API answers with.

/** Machine-readable codes of {@link TenantError}s (also the `error` field of API error bodies). */
export type TenantErrorCode =
  | 'validation_error'
  | 'conflict'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'range_not_satisfiable'
  | 'store_error';

/** Base class of the tenant layer's errors: a `code`, the HTTP `status` it maps to, and an optional `field`. */
export class TenantError extends Error {
  override readonly name: string = 'TenantError';
  readonly code: TenantErrorCode;
  /** HTTP status the admin API answers with. */
  readonly status: number;
  /** The input field at fault, when one is (e.g. `domain`, `number`, `limit`). */
  readonly field: string | undefined;

  constructor(code: TenantErrorCode, status: number, message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.field = field;
  }
}

/** An input value breaks a model rule (bad domain, number, extension, flow…). HTTP 400. */
export class ValidationError extends TenantError {
  override readonly name: string = 'ValidationError';
  declare readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('validation_error', 400, `${field}: ${message}`, field, options);
  }
}

/** A uniqueness rule refused the change (domain taken, number already added…). HTTP 409. */
export class ConflictError extends TenantError {
  override readonly name = 'ConflictError';
  declare readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('conflict', 409, `${field}: ${message}`, field, options);
  }
}

/** The resource does not exist (or is not visible to the caller: no existence is leaked). HTTP 404. */
export class NotFoundError extends TenantError {
  override readonly name = 'NotFoundError';
  /** The kind of resource looked up (`tenant`, `agent`, `call`…). */
  readonly resource: string;

  constructor(resource: string, message = `${resource} not found`, options?: { cause?: unknown }) {
    super('not_found', 404, message, undefined, options);
    this.resource = resource;
  }
}

/** No or unknown credentials. HTTP 401. */
export class UnauthorizedError extends TenantError {
  override readonly name = 'UnauthorizedError';

  constructor(message = 'a valid bearer token is required') {
    super('unauthorized', 401, message);
  }
}

/** Valid credentials that may not do this (a tenant key on an operator route). HTTP 403. */
export class ForbiddenError extends TenantError {
  override readonly name = 'ForbiddenError';

  constructor(message = 'this token may not do that') {
    super('forbidden', 403, message);
  }
}

/** A byte range outside the resource. HTTP 416. */
export class RangeNotSatisfiableError extends TenantError {
  override readonly name = 'RangeNotSatisfiableError';
  /** Size of the resource in bytes (for `Content-Range: bytes * /size`). */
  readonly size: number;

  constructor(size: number) {
    super('range_not_satisfiable', 416, `range not satisfiable (size ${size})`, 'range');
    this.size = size;
  }
}

/** The database failed in a way the caller cannot fix (connection lost, unexpected constraint). HTTP 500. */
export class StoreError extends TenantError {
  override readonly name = 'StoreError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('store_error', 500, message, undefined, options);
  }
}

/** One fault of an invalid flow document. */
export interface FlowFaultInfo {
  /** JSON Pointer of the fault, e.g. `/nodes/greet/next` (`''`: the whole document). */
  path: string;
  message: string;
}

/** A flow document the validator refused; every fault names its JSON path. HTTP 400. */
export class FlowValidationError extends ValidationError {
  override readonly name = 'FlowValidationError';
  readonly faults: readonly FlowFaultInfo[];

  constructor(faults: readonly FlowFaultInfo[]) {
    super(faults[0]?.path || '/', `${faults.length} fault(s): ${faults.map((f) => `${f.path || '/'} ${f.message}`).join('; ')}`);
    this.faults = faults;
  }
}
