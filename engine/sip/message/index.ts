// The SIP message layer's public surface: parse, build, serialize, validate SIP messages (RFC 3261 §7, §8.2, §19, §20, §25; RFC 3581; RFC 5118).
export { SipParseError, type SipParseErrorCode, type SipParseErrorOptions } from './errors.ts';
export { Params, type Param, quote, unquote } from './params.ts';
export {
  AbsoluteUri,
  isHost,
  isHostname,
  isIpv4,
  isIpv6,
  parseSipUri,
  parseUri,
  SipUri,
  type SipUriInit,
  TelUri,
  tryParseUri,
  type Uri,
  uriEquals,
} from './uri.ts';
export { canonicalName, headerInfo, type HeaderInfo, headerKey, isListHeader, knownHeaders, splitList } from './headers.ts';
export { NameAddr, type NameAddrInit, parseNameAddr } from './name-addr.ts';
export { MAGIC_COOKIE, parseVia, Via, type ViaInit } from './via.ts';
export {
  type AuthValue,
  type ContentType,
  type CSeq,
  isCallId,
  parseAuthValue,
  parseContentType,
  parseCSeq,
  parseDate,
  parseDeltaSeconds,
  parseMaxForwards,
  parseTokenList,
} from './fields.ts';
export {
  type BodyInit,
  defaultReason,
  type HeaderField,
  type HeaderInit,
  REASON_PHRASES,
  type SipMessage,
  SipRequest,
  type SipRequestInit,
  SipResponse,
  type SipResponseInit,
} from './message.ts';
export { DEFAULT_MAX_SIZE, parseMessage, type ParseOptions, tryParseMessage } from './parser.ts';
export { createResponse, type CreateResponseOptions } from './response.ts';
export { generateBranch, generateCallId, generateTag } from './ids.ts';
export { StreamFramer, type StreamEvent, type StreamFramerOptions } from './framer.ts';

import type { SipMessage } from './message.ts';

/**
 * The canonical bytes of a message (`Name: value` CRLF, canonical header names, Content-Length from the body).
 * Same as `msg.serialize()`.
 */
export function serialize(msg: SipMessage): Buffer {
  return msg.serialize();
}
export {
  DEFAULT_BODY_TYPES,
  DEFAULT_METHODS,
  type Rejection,
  REQUEST_RULES,
  type RequestRule,
  type RuleContext,
  type ValidateOptions,
  type ValidateResponseOptions,
  type ValidationRole,
  validateRequest,
  validateResponse,
} from './validate.ts';
export { summarize } from './summary.ts';
export { lfToWire } from './wire.ts';
