// Deciding the response to a bad request, as a table of rules with RFC references; dropping bad responses (RFC 3261 §8.2, §16.3, §8.1.3.3, §21; RFC 4475).
import { SipParseError } from './errors.ts';
import { parseDate } from './fields.ts';
import { splitList } from './headers.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { SipUri, type Uri } from './uri.ts';

/** Who is judging the request: a UAS (endpoint, registrar) or a proxy that would forward it. */
export type ValidationRole = 'uas' | 'proxy';

/** Options of {@link validateRequest}. */
export interface ValidateOptions {
  /** Default `uas`. A proxy forwards unknown methods and bodies but answers 483 to Max-Forwards 0. */
  role?: ValidationRole;
  /** Option tags we support; a Require (UAS) or Proxy-Require (proxy) tag outside it gets 420. Default none. */
  supported?: readonly string[];
  /** Methods we implement (UAS); others get 501 with Allow. Default {@link DEFAULT_METHODS}. */
  knownMethods?: readonly string[];
  /** URI schemes we serve; a Request-URI of another scheme gets 416. Default sip, sips, tel. */
  schemes?: readonly string[];
  /** Body types we understand (UAS); others get 415 with Accept. Default {@link DEFAULT_BODY_TYPES}. */
  acceptedContentTypes?: readonly string[];
  /** Body types our answers to INVITE/UPDATE carry; an Accept that allows none of them gets 406. Default application/sdp. */
  responseContentTypes?: readonly string[];
}

/** The response a bad request should get. */
export interface Rejection {
  status: number;
  /** Reason phrase; for 400 it names the faulty header (`Missing header: Call-ID`). */
  reason: string;
  /** Headers to add to the response (Unsupported for 420, Allow for 501, Accept for 415). */
  headers?: [string, string][];
  /** Id of the rule that fired (see {@link REQUEST_RULES}). */
  rule: string;
  /** Where the rule comes from. */
  rfc: string;
  /** True for ACK: never answered (RFC 3261 §17.2.3, §8.2) — drop it instead. */
  drop: boolean;
}

/** Methods a Hotline UAS implements by default. */
export const DEFAULT_METHODS: readonly string[] = Object.freeze([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'INFO', 'UPDATE', 'MESSAGE', 'PUBLISH',
]);

/** Body types a UAS accepts by default (multipart is accepted as a container, RFC 5621). */
export const DEFAULT_BODY_TYPES: readonly string[] = Object.freeze([
  'application/sdp', 'multipart/mixed', 'multipart/alternative', 'multipart/related', 'text/plain', 'message/sipfrag',
  'application/dtmf-relay', 'application/dtmf',
]);

const DEFAULT_SCHEMES: readonly string[] = Object.freeze(['sip', 'sips', 'tel']);

/** Context a rule sees. */
export interface RuleContext {
  req: SipRequest;
  role: ValidationRole;
  opts: ValidateOptions;
}

type Verdict = string | { reason: string; headers: [string, string][] } | null;

/** One row of the table: when `check` returns a reason, the request gets `status`. */
export interface RequestRule {
  id: string;
  status: number;
  rfc: string;
  /** Roles the rule applies to. */
  roles: readonly ValidationRole[];
  check(ctx: RuleContext): Verdict;
}

const BOTH: readonly ValidationRole[] = ['uas', 'proxy'];
const UAS: readonly ValidationRole[] = ['uas'];
const PROXY: readonly ValidationRole[] = ['proxy'];

/** Headers every request carries (RFC 3261 §8.1.1); Max-Forwards is tolerated when absent (§8.1.1.6, RFC 2543 peers). */
const MANDATORY = ['To', 'From', 'Call-ID', 'CSeq', 'Via'] as const;
/** Headers that may appear once only (RFC 3261 §7.3.1: not a comma list). */
const SINGLETONS = ['Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires', 'Date'] as const;

function parses(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof SipParseError) return e.header ? `Invalid header: ${e.header}` : e.message;
    throw e;
  }
}

function scheme(u: Uri): string {
  return u.scheme.toLowerCase();
}

function mediaMatches(range: string, mime: string): boolean {
  const r = range.split(';')[0].trim().toLowerCase();
  if (r === '*/*' || r === mime) return true;
  return r.endsWith('/*') && mime.startsWith(r.slice(0, -1));
}

/**
 * The rules, checked in order; the first that fires decides the response. Syntax comes first (any element),
 * then the UAS's method, extension and body inspection (RFC 3261 §8.2.1–§8.2.3) or the proxy's checks (§16.3).
 */
export const REQUEST_RULES: readonly RequestRule[] = Object.freeze([
  {
    id: 'version',
    status: 505,
    rfc: 'RFC 3261 §8.2 / §21.5.9 (SIP/2.0 only); RFC 4475 §3.1.2.16',
    roles: BOTH,
    check: ({ req }) => (req.version.toUpperCase() === 'SIP/2.0' ? null : 'Version Not Supported'),
  },
  {
    id: 'request-uri-syntax',
    status: 400,
    rfc: 'RFC 3261 §25.1 Request-URI; RFC 4475 §3.1.2.7',
    roles: BOTH,
    check: ({ req }) => parses(() => req.uri) && 'Invalid Request-URI',
  },
  {
    id: 'uri-scheme',
    status: 416,
    rfc: 'RFC 3261 §8.2.2.1, §16.3 item 1; RFC 4475 §3.3.2, §3.3.3',
    roles: BOTH,
    check: ({ req, opts }) => ((opts.schemes ?? DEFAULT_SCHEMES).includes(scheme(req.uri)) ? null : 'Unsupported URI Scheme'),
  },
  {
    id: 'request-uri-headers',
    status: 400,
    rfc: 'RFC 3261 §19.1.1 Table 1 (headers not allowed in a Request-URI); RFC 4475 §3.1.2.11',
    roles: BOTH,
    check: ({ req }) => (req.uri instanceof SipUri && req.uri.headers.size > 0 ? 'Invalid Request-URI: headers not allowed' : null),
  },
  {
    id: 'mandatory-headers',
    status: 400,
    rfc: 'RFC 3261 §8.1.1, §8.2 (To, From, Call-ID, CSeq, Via); RFC 4475 §3.3.1',
    roles: BOTH,
    check: ({ req }) => {
      for (const h of MANDATORY) if (!req.has(h)) return `Missing header: ${h}`;
      return null;
    },
  },
  {
    id: 'duplicate-headers',
    status: 400,
    rfc: 'RFC 3261 §7.3.1 (only list headers may repeat); RFC 4475 §3.3.8',
    roles: BOTH,
    check: ({ req }) => {
      for (const h of SINGLETONS) if (req.getLines(h).length > 1) return `Duplicate header: ${h}`;
      return null;
    },
  },
  {
    id: 'header-syntax',
    status: 400,
    rfc: 'RFC 3261 §20, §25.1; RFC 4475 §3.1.2.1, §3.1.2.4, §3.1.2.6, §3.1.2.12–15',
    roles: BOTH,
    check: ({ req }) =>
      parses(() => req.via()) ??
      parses(() => req.from().uri) ??
      parses(() => req.to().uri) ??
      parses(() => req.callId) ??
      parses(() => req.cseq()) ??
      parses(() => req.maxForwards()) ??
      parses(() => {
        if (!req.isWildcardContact()) for (const c of req.contacts()) void c.uri;
      }) ??
      parses(() => req.routes().forEach((r) => r.uri)) ??
      parses(() => req.recordRoutes().forEach((r) => r.uri)) ??
      parses(() => req.contentType()) ??
      parses(() => req.expires()) ??
      parses(() => {
        const d = req.getLines('date')[0];
        if (d !== undefined) parseDate(d);
      }) ??
      parses(() => req.require()) ??
      parses(() => req.proxyRequire()) ??
      parses(() => req.supported()) ??
      parses(() => req.allow()),
  },
  {
    id: 'contact-wildcard',
    status: 400,
    rfc: 'RFC 3261 §10.2.2, §10.3 step 6 (Contact: * only in REGISTER, alone, with Expires: 0)',
    roles: BOTH,
    check: ({ req }) => {
      const all = req.getAll('Contact');
      if (!all.includes('*')) return null;
      if (req.method !== 'REGISTER' || all.length !== 1 || req.expires() !== 0) return 'Invalid header: Contact';
      return null;
    },
  },
  {
    id: 'body-without-type',
    status: 400,
    rfc: 'RFC 3261 §20.15 (Content-Type MUST be present with a non-empty body)',
    roles: BOTH,
    check: ({ req }) => (req.body.length > 0 && !req.has('Content-Type') ? 'Missing header: Content-Type' : null),
  },
  {
    id: 'method',
    status: 501,
    rfc: 'RFC 3261 §8.2.1, §21.5.2 (with Allow); RFC 4475 §3.1.1.2, §3.1.1.5',
    roles: UAS,
    check: ({ req, opts }) => {
      const known = opts.knownMethods ?? DEFAULT_METHODS;
      return known.includes(req.method) ? null : { reason: 'Not Implemented', headers: [['Allow', known.join(', ')]] };
    },
  },
  {
    id: 'cseq-method',
    status: 400,
    rfc: 'RFC 3261 §8.1.1.5 (CSeq method equals the request method); RFC 4475 §3.1.2.17',
    roles: BOTH,
    check: ({ req }) => (req.cseq().method === req.method ? null : 'CSeq method does not match the request method'),
  },
  {
    id: 'register-aor',
    status: 400,
    rfc: 'RFC 3261 §10.2 (the To of a REGISTER is a SIP or SIPS address-of-record); RFC 4475 §3.3.4',
    roles: UAS,
    check: ({ req }) => (req.method === 'REGISTER' && !(req.to().uri instanceof SipUri) ? 'Invalid header: To (address-of-record must be sip or sips)' : null),
  },
  {
    id: 'max-forwards',
    status: 483,
    rfc: 'RFC 3261 §16.3 item 2; RFC 4475 §3.3.11',
    roles: PROXY,
    check: ({ req }) => (req.maxForwards() === 0 ? 'Too Many Hops' : null),
  },
  {
    id: 'require',
    status: 420,
    rfc: 'RFC 3261 §8.2.2.3 (UAS: Require, not for ACK/CANCEL), §16.3 item 5 (proxy: Proxy-Require); RFC 4475 §3.3.5',
    roles: BOTH,
    check: ({ req, role, opts }) => {
      if (req.method === 'ACK' || req.method === 'CANCEL') return null;
      const tags = role === 'uas' ? req.require() : req.proxyRequire();
      const supported = opts.supported ?? [];
      const unknown = tags.filter((t) => !supported.some((s) => s.toLowerCase() === t.toLowerCase()));
      return unknown.length === 0 ? null : { reason: 'Bad Extension', headers: [['Unsupported', unknown.join(', ')]] };
    },
  },
  {
    id: 'content-type',
    status: 415,
    rfc: 'RFC 3261 §8.2.3 (with Accept); RFC 4475 §3.3.6',
    roles: UAS,
    check: ({ req, opts }) => {
      if (req.body.length === 0) return null;
      const ct = req.contentType();
      const accepted = opts.acceptedContentTypes ?? DEFAULT_BODY_TYPES;
      if (!ct || accepted.includes(ct.mime)) return null;
      return { reason: 'Unsupported Media Type', headers: [['Accept', accepted.join(', ')]] };
    },
  },
  {
    id: 'accept',
    status: 406,
    rfc: 'RFC 3261 §21.4.7, §20.1 (the answer to INVITE/UPDATE carries SDP); RFC 4475 §3.3.15',
    roles: UAS,
    check: ({ req, opts }) => {
      if (req.method !== 'INVITE' && req.method !== 'UPDATE') return null;
      const lines = req.getLines('Accept');
      if (lines.length === 0) return null;
      const ranges = lines.flatMap((l) => splitList(l)).filter((r) => r.length > 0);
      const ours = opts.responseContentTypes ?? ['application/sdp'];
      return ranges.some((r) => ours.some((m) => mediaMatches(r, m))) ? null : 'Not Acceptable';
    },
  },
] satisfies RequestRule[]);

/**
 * Decides the response to a bad request by walking {@link REQUEST_RULES}; `null` when the request may be
 * processed. For ACK the result has `drop: true` (an ACK is never answered).
 */
export function validateRequest(req: SipRequest, opts: ValidateOptions = {}): Rejection | null {
  const role = opts.role ?? 'uas';
  const ctx: RuleContext = { req, role, opts };
  for (const rule of REQUEST_RULES) {
    if (!rule.roles.includes(role)) continue;
    let verdict: Verdict;
    try {
      verdict = rule.check(ctx);
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
      verdict = e.header ? `Invalid header: ${e.header}` : e.message;
    }
    if (verdict === null) continue;
    const reason = typeof verdict === 'string' ? verdict : verdict.reason;
    const headers = typeof verdict === 'string' ? undefined : verdict.headers;
    return { status: rule.status, reason, headers, rule: rule.id, rfc: rule.rfc, drop: req.method === 'ACK' };
  }
  return null;
}

/** Options of {@link validateResponse}. */
export interface ValidateResponseOptions {
  /** `uac`: a response with more than one Via is not for us (RFC 3261 §8.1.3.3). */
  role?: 'uac' | 'proxy';
}

/**
 * Checks a received response; returns why it must be dropped, or `null`. Bad responses are never answered
 * (RFC 3261 §8.1.3.3, §16.7; RFC 4475 §3.1.2.5, §3.1.2.19).
 */
export function validateResponse(res: SipResponse, opts: ValidateResponseOptions = {}): string | null {
  if (res.version.toUpperCase() !== 'SIP/2.0') return 'Version Not Supported';
  for (const h of MANDATORY) if (!res.has(h)) return `Missing header: ${h}`;
  for (const h of SINGLETONS) if (res.getLines(h).length > 1) return `Duplicate header: ${h}`;
  const fault =
    parses(() => res.via()) ??
    parses(() => res.from().uri) ??
    parses(() => res.to().uri) ??
    parses(() => res.callId) ??
    parses(() => res.cseq()) ??
    parses(() => {
      if (!res.isWildcardContact()) for (const c of res.contacts()) void c.uri;
    }) ??
    parses(() => res.recordRoutes().forEach((r) => r.uri)) ??
    parses(() => res.contentType());
  if (fault) return fault;
  if (opts.role === 'uac' && res.via().length !== 1) return 'More than one Via in a response to a UAC';
  if (res.body.length > 0 && !res.has('Content-Type')) return 'Missing header: Content-Type';
  return null;
}
