// Errors of the media layer that are not about ports (see ports.ts for PortExhaustedError).

/** Why an operation on a media object was refused. */
export type MediaStateErrorCode = 'closed';

/** An operation on a media object (clock, recorder…) in a state that does not allow it. */
export class MediaStateError extends Error {
  readonly code: MediaStateErrorCode;
  constructor(code: MediaStateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaStateError';
    this.code = code;
  }
}
