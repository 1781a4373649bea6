// fast-check generators of SIP URIs, header values and messages for the property tests (RFC 3261 §25.1 shapes).
import fc from 'fast-check';
import { canonicalName, headerInfo } from './headers.ts';
import { SipUri } from './uri.ts';

const TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~".split('');

/** RFC 3261 token. */
export const token = (max = 12): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: max });

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const topLabel = fc.stringMatching(/^[A-Za-z]([A-Za-z0-9-]{0,5}[A-Za-z0-9])?$/);

/** Host name, IPv4 address or IPv6 reference. */
export const host: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.array(label, { maxLength: 3 }), topLabel).map(([ls, t]) => [...ls, t].join('.')),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);

/** Text that needs escaping in places: reserved, unsafe and non-ASCII chars. */
const uriText = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'abcXYZ019'.split('')) },
    { weight: 4, arbitrary: fc.constantFrom(...`-_.!~*'()&=+$,;?/:@% []<>"#\\`.split('')) },
    { weight: 1, arbitrary: fc.constantFrom('é', 'ж', '€', '😀', '\u0000') },
  ),
  minLength: 1,
  maxLength: 10,
});

/** A SIP/SIPS URI with every component exercised. */
export const sipUri: fc.Arbitrary<SipUri> = fc
  .record({
    scheme: fc.constantFrom('sip' as const, 'sips' as const),
    user: fc.option(uriText, { nil: undefined }),
    password: fc.option(fc.oneof(uriText, fc.constant('')), { nil: undefined }),
    host,
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    params: fc.array(fc.tuple(uriText, fc.option(uriText, { nil: null })), { maxLength: 3 }),
    headers: fc.array(fc.tuple(uriText, fc.oneof(uriText, fc.constant(''))), { maxLength: 2 }),
  })
  .map((r) => new SipUri({ ...r, password: r.user === undefined ? undefined : r.password }));

/** A header value: printable text incl. UTF-8, SP inside, no CR/LF, trimmed. */
export const headerValue: fc.Arbitrary<string> = fc
  .string({
    unit: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...'abcXYZ019 <>:;,="@\\/-_.'.split('')) },
      { weight: 1, arbitrary: fc.constantFrom('é', 'ж', '€', '😀', '\t') },
    ),
    maxLength: 30,
  })
  .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));

/** A header name: a known header's canonical name (not Content-Length) or an extension token. */
export const headerName: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('Via', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Route', 'Subject', 'User-Agent', 'WWW-Authenticate', 'Supported', 'Max-Forwards'),
    token(16).filter((t) => headerInfo(t) === undefined),
  )
  .map(canonicalName);

/** Parts of a canonical message: start line, ordered headers (with Content-Length at `clAt`), body. */
export interface MessageParts {
  startLine: string;
  headers: [string, string][];
  clAt: number;
  body: Uint8Array;
}

const reason = fc
  .string({ unit: fc.constantFrom(...'abc XYZ=*é€'.split('')), maxLength: 20 })
  .filter((s) => !/[\r\n]/.test(s));

/** A start line: request with a generated URI, or response with any code 100–699 and reason. */
export const startLine: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'OPTIONS', 'REGISTER'), token(10)), sipUri).map(([m, u]) => `${m} ${u.toString()} SIP/2.0`),
  fc.tuple(fc.integer({ min: 100, max: 699 }), reason).map(([s, r]) => `SIP/2.0 ${s} ${r}`),
);

/** Canonical message parts. */
export const messageParts: fc.Arbitrary<MessageParts> = fc
  .record({
    startLine,
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
    clAt: fc.nat(),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map((p) => ({ ...p, clAt: p.clAt % (p.headers.length + 1) }));

/** The canonical bytes of message parts. */
export function canonicalBytes(p: MessageParts): Buffer {
  const lines = [p.startLine];
  p.headers.forEach(([n, v], i) => {
    if (i === p.clAt) lines.push(`Content-Length: ${p.body.length}`);
    lines.push(`${n}: ${v}`);
  });
  if (p.clAt === p.headers.length) lines.push(`Content-Length: ${p.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), p.body]);
}
