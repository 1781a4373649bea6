// Errors of the SIP message layer: the one typed error the parser throws (RFC 3261 §7, §18.3, §21).
import type { SipMessage } from './message.ts';

/** Why a SIP message could not be framed or a header could not be parsed. */
export type SipParseErrorCode =
  | 'empty'
  | 'too-large'
  | 'bad-start-line'
  | 'bad-version'
  | 'bad-status'
  | 'bad-header'
  | 'no-header-end'
  | 'bad-content-length'
  | 'truncated'
  | 'missing-content-length'
  | 'missing-header'
  | 'bad-uri';

/** Options of {@link SipParseError}. */
export interface SipParseErrorOptions {
  /** The status a server should answer a request with (400, 505, 513…); absent when nothing should be sent. */
  status?: number;
  /** The header the fault is in, canonical spelling (e.g. `Call-ID`). */
  header?: string;
  cause?: unknown;
  /**
   * The message as far as it could be framed (start line and headers, empty body), when the fault is
   * past the header section (Content-Length, truncation, size). Lets a server answer statelessly.
   */
  partial?: SipMessage;
}

/**
 * The only error the SIP message layer throws for bad input bytes. Assert on `code`, not on the text.
 */
export class SipParseError extends Error {
  /** Machine-readable reason. */
  readonly code: SipParseErrorCode;
  /** Response status a server should send for a request with this fault (400, 505, 513…). */
  readonly status: number | undefined;
  /** Canonical name of the header at fault, when one is. */
  readonly header: string | undefined;
  /** Best-effort message framed before the fault (see {@link SipParseErrorOptions.partial}). */
  readonly partial: SipMessage | undefined;

  constructor(code: SipParseErrorCode, message: string, opts: SipParseErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SipParseError';
    this.code = code;
    this.status = opts.status;
    this.header = opts.header;
    this.partial = opts.partial;
  }
}

/** Shorthand for a 400-class header fault. */
export function badHeader(header: string, detail: string, cause?: unknown): SipParseError {
  return new SipParseError('bad-header', `Invalid header: ${header} (${detail})`, { status: 400, header, cause });
}
