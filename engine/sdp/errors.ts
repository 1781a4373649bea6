// Errors of the SDP layer: malformed descriptions (RFC 4566 §5) and failed negotiation (RFC 3264 §6).

/** Why an SDP body was refused. */
export type SdpErrorCode =
  /** Empty body or only blank lines. */
  | 'empty'
  /** Longer than the configured limit. */
  | 'too-large'
  /** A line that is not `<type>=<value>` (RFC 4566 §5). */
  | 'bad-line'
  /** The first line is not `v=` (RFC 4566 §5.1). */
  | 'missing-version'
  /** `v=` is not `0`. */
  | 'bad-version'
  /** No `o=` at session level (RFC 4566 §5.2). */
  | 'missing-origin'
  /** `o=` does not have six well-formed fields. */
  | 'bad-origin'
  /** No `s=` at session level (RFC 4566 §5.3). */
  | 'missing-session-name'
  /** No `t=` at session level (RFC 4566 §5.9). */
  | 'missing-timing'
  /** `t=` is not two decimal numbers. */
  | 'bad-timing'
  /** A `c=` line that is not `IN IP4|IP6 <address>` (RFC 4566 §5.7). */
  | 'bad-connection'
  /** An active stream with no `c=` at media or session level (RFC 4566 §5.7). */
  | 'missing-connection'
  /** No `m=` line (RFC 4566 §5.14): nothing to negotiate. */
  | 'missing-media'
  /** An `m=` line without media, port, protocol and at least one format. */
  | 'bad-media'
  /** A port that is not a number in 0..65535. */
  | 'bad-port'
  /** An RTP format that is not a payload type in 0..127 (RFC 3551 §3). */
  | 'bad-payload-type'
  /** No usable audio stream: nothing in common (RFC 3264 §6); answer 488 Not Acceptable Here. */
  | 'no-common-codec'
  /** An answer whose m-lines do not match the offer's (RFC 3264 §6: same count, same order). */
  | 'media-mismatch';

/** Options of {@link SdpError}. */
export interface SdpErrorOptions {
  /** 1-based line number of the fault, when it is on one line. */
  line?: number;
  /** Index of the m-line at fault, when it is in one stream. */
  mediaIndex?: number;
  cause?: unknown;
}

/**
 * The one error the SDP layer throws for bad input or a failed negotiation. Assert on `code`.
 * `status` is the SIP response a UAS should send when the SDP came in a request: 488 Not Acceptable
 * Here for anything the session description itself makes unusable (RFC 3261 §13.3.1.1, §21.4.26),
 * 400 for bodies that cannot be parsed at all.
 */
export class SdpError extends Error {
  /** Machine-readable reason. */
  readonly code: SdpErrorCode;
  /** SIP status a server should answer with (400 or 488). */
  readonly status: number;
  /** 1-based line number of the fault, if any. */
  readonly line: number | undefined;
  /** Index of the m-line at fault, if any. */
  readonly mediaIndex: number | undefined;

  constructor(code: SdpErrorCode, message: string, opts: SdpErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SdpError';
    this.code = code;
    this.status = code === 'no-common-codec' || code === 'media-mismatch' ? 488 : 400;
    this.line = opts.line;
    this.mediaIndex = opts.mediaIndex;
  }
}
