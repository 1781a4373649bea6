// Examples for SIP message parsing, headers and serialization (RFC 3261 §7, §7.3, §8.2.6, §18.3, §20; RFC 3581).
import { describe, expect, it } from 'vitest';
import {
  createResponse,
  generateBranch,
  generateCallId,
  generateTag,
  parseMessage,
  serialize,
  SipParseError,
  SipRequest,
  SipResponse,
  SipUri,
  summarize,
  validateRequest,
} from './index.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

const INVITE = [
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
];

function request(lines: string[]): SipRequest {
  const m = parseMessage(crlf(lines));
  if (!(m instanceof SipRequest)) throw new Error('not a request');
  return m;
}

function parseError(bytes: Uint8Array): SipParseError {
  try {
    parseMessage(bytes);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('parsed');
}

describe('start line (RFC 3261 §7.1, §7.2)', () => {
  it('parses the RFC 3261 §24.2 INVITE and serializes it back byte for byte', () => {
    const bytes = crlf(INVITE);
    const m = request(INVITE);
    expect(m.method).toBe('INVITE');
    expect(m.uri.toString()).toBe('sip:bob@biloxi.com');
    expect(m.version).toBe('SIP/2.0');
    expect(m.body.toString()).toBe('v=0\n');
    expect(serialize(m).equals(bytes)).toBe(true);
    expect(m.byteLength).toBe(bytes.length);
  });

  it('parses a status line with a multi-word reason (RFC 3261 §7.2)', () => {
    const m = parseMessage(crlf(['SIP/2.0 486 Busy Here', 'Content-Length: 0', '', '']));
    expect(m.isRequest).toBe(false);
    if (!m.isRequest) {
      expect(m.status).toBe(486);
      expect(m.reason).toBe('Busy Here');
    }
  });

  it('refuses a status code outside 100–699 without a status to answer (RFC 3261 §7.2, RFC 4475 §3.1.2.19)', () => {
    const e = parseError(crlf(['SIP/2.0 099 Low', '', '']));
    expect(e.code).toBe('bad-status');
    expect(e.status).toBe(undefined);
  });

  it('refuses a request line without SIP-Version with 400', () => {
    const e = parseError(crlf(['INVITE sip:a@b', 'Content-Length: 0', '', '']));
    expect([e.code, e.status]).toEqual(['bad-start-line', 400]);
  });

  it('skips CRLFs before the start line (RFC 3261 §7.5)', () => {
    const m = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), crlf(INVITE)]));
    expect(m.isRequest && m.method).toBe('INVITE');
  });

  it('accepts a Uint8Array that is not a Buffer', () => {
    const b = crlf(INVITE);
    const u8 = new Uint8Array(b.length);
    u8.set(b);
    expect(parseMessage(u8).callId).toBe('a84b4c76e66710@pc33.atlanta.com');
  });
});

describe('headers (RFC 3261 §7.3)', () => {
  it('expands compact forms i m e l c f s k t v and serializes long names (RFC 3261 §7.3.3)', () => {
    const m = request([
      'OPTIONS sip:carol@chicago.com SIP/2.0',
      'v: SIP/2.0/UDP h.example.com;branch=z9hG4bKx',
      'f: <sip:a@b>;tag=1',
      't: <sip:carol@chicago.com>',
      'i: cid-1',
      'm: <sip:a@10.0.0.1>',
      's: hello',
      'k: path, gruu',
      'e: gzip',
      'c: text/plain',
      'l: 2',
      '',
      'hi',
    ]);
    expect(m.get('Via')).toBe('SIP/2.0/UDP h.example.com;branch=z9hG4bKx');
    expect(m.from().tag).toBe('1');
    expect(m.get('To')).toBe('<sip:carol@chicago.com>');
    expect(m.callId).toBe('cid-1');
    expect(m.contacts().length).toBe(1);
    expect(m.get('Subject')).toBe('hello');
    expect(m.supported()).toEqual(['path', 'gruu']);
    expect(m.get('Content-Encoding')).toBe('gzip');
    expect(m.contentType()?.mime).toBe('text/plain');
    const out = serialize(m).toString();
    for (const n of ['Via', 'From', 'To', 'Call-ID', 'Contact', 'Subject', 'Supported', 'Content-Encoding', 'Content-Type', 'Content-Length']) {
      expect(out).toContain(`\r\n${n}: `);
    }
  });

  it('compares header names case-insensitively and keeps compact and long lookups equal (RFC 3261 §7.3.1)', () => {
    const m = request(['OPTIONS sip:a@b SIP/2.0', 'cAlL-iD: x@y', 'X-Custom: 1', 'Content-Length: 0', '', '']);
    expect(m.get('CALL-ID')).toBe('x@y');
    expect(m.get('i')).toBe('x@y');
    expect(m.get('x-custom')).toBe('1');
    expect(m.headers.map(([n]) => n)).toEqual(['Call-ID', 'X-Custom', 'Content-Length']);
  });

  it('joins folded lines with one SP and allows LWS before the colon (RFC 3261 §7.3.1)', () => {
    const m = request(['OPTIONS sip:a@b SIP/2.0', 'Subject  :  first', '   second', '\tthird', 'Content-Length: 0', '', '']);
    expect(m.get('Subject')).toBe('first second third');
  });

  it('splits list headers on commas outside quotes and <>, over several lines, in order (RFC 3261 §7.3.1)', () => {
    const m = request([
      'REGISTER sip:r.example.com SIP/2.0',
      'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3',
      'Contact: "Doe, John" <sip:john,doe@a.example.com>, <sip:j@b.example.com>;q=0.5',
      'WWW-Authenticate: Digest realm="a, b", nonce="n"',
      'X-Unknown: a, b',
      'Content-Length: 0',
      '',
      '',
    ]);
    expect(m.via().map((v) => v.host)).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
    expect(m.getAll('Contact')).toEqual(['"Doe, John" <sip:john,doe@a.example.com>', '<sip:j@b.example.com>;q=0.5']);
    expect(m.contacts()[0].displayName).toBe('Doe, John');
    expect(m.contacts()[1].q).toBe(0.5);
    expect(m.getAll('WWW-Authenticate')).toEqual(['Digest realm="a, b", nonce="n"']);
    expect(m.authValues('WWW-Authenticate')[0].params.get('realm')).toBe('a, b');
    expect(m.getAll('X-Unknown')).toEqual(['a, b']);
  });

  it('keeps unknown headers in order through a round trip (RFC 3261 §7.3)', () => {
    const lines = ['MESSAGE sip:a@b SIP/2.0', 'X-B: 2', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'X-A: 1', 'Content-Length: 0', '', ''];
    expect(serialize(request(lines)).toString()).toBe(lines.join('\r\n'));
  });

  it('recomputes Content-Length from the body (RFC 3261 §20.14)', () => {
    const m = request(INVITE);
    m.body = Buffer.from('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n');
    expect(serialize(m).toString()).toContain(`Content-Length: ${m.body.length}\r\n`);
    const built = new SipRequest({ method: 'OPTIONS', uri: 'sip:a@b', headers: { 'Call-ID': 'c' } });
    expect(built.toString()).toBe('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: c\r\nContent-Length: 0\r\n\r\n');
  });

  it('set, append, prepend, remove and removeFirst edit the header list', () => {
    const m = request(INVITE);
    m.prepend('Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp');
    expect(m.topVia().host).toBe('proxy.example.com');
    expect(m.via().length).toBe(2);
    expect(m.removeFirst('Via')).toBe('SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp');
    expect(m.topVia().host).toBe('pc33.atlanta.com');
    m.set('Max-Forwards', '69');
    expect(m.maxForwards()).toBe(69);
    m.append('Route', '<sip:p1.example.com;lr>');
    m.append('route', '<sip:p2.example.com;lr>');
    expect(m.routes().map((r) => (r.uri as SipUri).host)).toEqual(['p1.example.com', 'p2.example.com']);
    expect(m.remove('Route')).toBe(2);
    expect(m.has('Route')).toBe(false);
    expect(() => m.append('X', 'a\r\nInjected: 1')).toThrow(TypeError);
  });

  it('removeFirst keeps the rest of a comma-separated line (RFC 3261 §16.7 popping the top Via)', () => {
    const m = request(['BYE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', 'Content-Length: 0', '', '']);
    m.removeFirst('v');
    expect(m.getAll('Via')).toEqual(['SIP/2.0/UDP b;branch=z9hG4bK2']);
  });

  it('reads rport valueless or filled, and received (RFC 3581 §3, §4)', () => {
    const m = request([
      'OPTIONS sip:a@b SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5062;rport;branch=z9hG4bKa',
      'Via: SIP/2.0/UDP 10.0.0.2;received=192.0.2.1;rport=40000;branch=z9hG4bKb;maddr=224.2.0.1;ttl=16',
      'Content-Length: 0',
      '',
      '',
    ]);
    const [a, b] = m.via();
    expect([a.rport, a.port, a.received]).toEqual([null, 5062, undefined]);
    expect([b.rport, b.received, b.maddr, b.ttl, b.branch]).toEqual([40000, '192.0.2.1', '224.2.0.1', 16, 'z9hG4bKb']);
    expect(a.isRfc3261Branch).toBe(true);
  });

  it('refuses malformed Via params: empty, ttl > 255, received not an address (RFC 3261 §20.42)', () => {
    for (const v of ['SIP/2.0/UDP h;;branch=z9hG4bK1', 'SIP/2.0/UDP h;ttl=300', 'SIP/2.0/UDP h;received=host.example.com', 'SIP/2.0 h']) {
      const m = request(['OPTIONS sip:a@b SIP/2.0', `Via: ${v}`, 'Content-Length: 0', '', '']);
      expect(() => m.via(), v).toThrow(SipParseError);
    }
  });

  it('parses CSeq, Max-Forwards, Expires and token lists (RFC 3261 §20.16, §20.22, §20.19, §20.32)', () => {
    const m = request([
      'SUBSCRIBE sip:a@b SIP/2.0',
      'CSeq: 0042   SUBSCRIBE',
      'Max-Forwards: 0070',
      'Expires: 99999999999999',
      'Require: 100rel, timer',
      'Allow: INVITE, ACK,BYE',
      'User-Agent: Hotline/0.1',
      'Content-Length: 0',
      '',
      '',
    ]);
    expect(m.cseq()).toEqual({ seq: 42, method: 'SUBSCRIBE' });
    expect(m.maxForwards()).toBe(70);
    expect(m.expires()).toBe(0xffffffff);
    expect(m.require()).toEqual(['100rel', 'timer']);
    expect(m.allow()).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(m.userAgent).toBe('Hotline/0.1');
  });

  it('treats Contact: * as the wildcard, not an address (RFC 3261 §10.2.2)', () => {
    const m = request(['REGISTER sip:r SIP/2.0', 'Contact: *', 'Expires: 0', 'Content-Length: 0', '', '']);
    expect(m.isWildcardContact()).toBe(true);
    expect(() => m.contacts()).toThrow(SipParseError);
  });

  it('parses a From/To URI lazily: the header reads, its bad URI fails on access and in validation (RFC 3261 §20.20)', () => {
    const m = request([...INVITE.slice(0, 3), 'To: Bob <sip:bob@bad_host>', ...INVITE.slice(4)]);
    expect(m.to().displayName).toBe('Bob');
    try {
      void m.to().uri;
      expect.unreachable();
    } catch (e) {
      expect((e as SipParseError).code).toBe('bad-header');
      expect((e as SipParseError).header).toBe('To');
    }
    expect(validateRequest(m)?.reason).toBe('Invalid header: To');
  });

  it('serialize() results stay intact when many are held at once (shared output slab)', () => {
    const m = request(INVITE);
    const outs: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      m.set('CSeq', `${i} INVITE`);
      outs.push(serialize(m));
    }
    outs.forEach((b, i) => expect(parseMessage(b).cseq().seq).toBe(i));
  });

  it('throws missing-header with status 400 from mandatory getters', () => {
    const m = request(['OPTIONS sip:a@b SIP/2.0', 'Content-Length: 0', '', '']);
    for (const get of [() => m.callId, () => m.from(), () => m.to(), () => m.cseq(), () => m.topVia()]) {
      try {
        get();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SipParseError);
        expect((e as SipParseError).code).toBe('missing-header');
        expect((e as SipParseError).status).toBe(400);
      }
    }
  });
});

describe('framing and size limits (RFC 3261 §18.3, §21.5.11)', () => {
  it('refuses a message above maxSize with 513 and keeps the framed head as partial', () => {
    try {
      parseMessage(crlf(INVITE), { maxSize: crlf(INVITE).length - 1 });
      expect.unreachable();
    } catch (err) {
      expect((err as SipParseError).status).toBe(513);
      expect((err as SipParseError).code).toBe('too-large');
      expect((err as SipParseError).partial?.callId).toBe('a84b4c76e66710@pc33.atlanta.com');
    }
    expect(parseMessage(crlf(INVITE), { maxSize: crlf(INVITE).length }).isRequest).toBe(true);
  });

  it('refuses a body shorter than Content-Length with 400 and a partial message to answer', () => {
    const b = crlf(INVITE);
    const err = parseError(b.subarray(0, b.length - 1));
    expect([err.code, err.status]).toEqual(['truncated', 400]);
    expect(err.partial?.callId).toBe('a84b4c76e66710@pc33.atlanta.com');
  });

  it('requires Content-Length on streams', () => {
    const lines = INVITE.filter((l) => !l.startsWith('Content-Length'));
    expect(parseMessage(crlf(lines)).body.toString()).toBe('v=0\n');
    try {
      parseMessage(crlf(lines), { stream: true });
      expect.unreachable();
    } catch (err) {
      expect((err as SipParseError).code).toBe('missing-content-length');
    }
  });

  it('refuses header lines without a colon, bare LF inside the head, and folding before the first header', () => {
    expect(parseError(crlf(['OPTIONS sip:a@b SIP/2.0', 'Nocolon', '', ''])).code).toBe('bad-header');
    expect(parseError(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nA: b\nC: d\r\n\r\n')).code).toBe('bad-header');
    expect(parseError(crlf(['OPTIONS sip:a@b SIP/2.0', ' folded', '', ''])).code).toBe('bad-header');
    expect(parseError(Buffer.alloc(0)).code).toBe('empty');
  });

  it('serializeInto writes at an offset and returns byteLength', () => {
    const m = request(INVITE);
    const buf = Buffer.alloc(m.byteLength + 10);
    const n = m.serializeInto(buf, 10);
    expect(n).toBe(m.byteLength);
    expect(buf.subarray(10).equals(serialize(m))).toBe(true);
    expect(() => m.serializeInto(Buffer.alloc(10))).toThrow(RangeError);
  });
});

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies Via list, From, To, Call-ID, CSeq and adds a To tag (RFC 3261 §8.2.6.2)', () => {
    const req = request([
      'INVITE sip:bob@biloxi.com SIP/2.0',
      'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK3;received=192.0.2.1',
      'To: Bob <sip:bob@biloxi.com>',
      'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710',
      'CSeq: 314159 INVITE',
      'Content-Length: 0',
      '',
      '',
    ]);
    const res = createResponse(req, 180, undefined, { toTag: 'abc', headers: [['Contact', '<sip:bob@192.0.2.4>']] });
    expect(res.status).toBe(180);
    expect(res.reason).toBe('Ringing');
    expect(res.via().map((v) => v.host)).toEqual(['p1.example.com', 'p2.example.com', 'pc33.atlanta.com']);
    expect(res.to().tag).toBe('abc');
    expect(res.from().tag).toBe('1928301774');
    expect(res.callId).toBe('a84b4c76e66710');
    expect(res.cseq()).toEqual({ seq: 314159, method: 'INVITE' });
    expect(res.get('Contact')).toBe('<sip:bob@192.0.2.4>');
    expect(summarize(res)).toBe('180 Ringing Call-ID a84b4c76e66710 CSeq 314159 INVITE');
    const again = parseMessage(serialize(res));
    expect(again instanceof SipResponse && again.to().tag).toBe('abc');
  });

  it('adds no To tag to 100 Trying and copies Timestamp into it (RFC 3261 §8.2.6.1)', () => {
    const req = request([...INVITE.slice(0, 9), 'Timestamp: 54', ...INVITE.slice(9)]);
    const res = createResponse(req, 100);
    expect(res.to().tag).toBe(undefined);
    expect(res.get('Timestamp')).toBe('54');
    expect(createResponse(req, 200).to().tag).toMatch(/^[A-Za-z0-9.-]{12}$/);
  });

  it('keeps an existing To tag and uses the given reason phrase', () => {
    const req = request(INVITE.map((l) => (l.startsWith('To:') ? 'To: <sip:bob@biloxi.com>;tag=x1' : l)));
    const res = createResponse(req, 486, 'Agent Busy');
    expect(res.to().tag).toBe('x1');
    expect(res.reason).toBe('Agent Busy');
    expect(() => createResponse(req, 700)).toThrow(RangeError);
  });
});

describe('identifiers (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3)', () => {
  it('branches start with the magic cookie and are unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const b = generateBranch();
      expect(b.startsWith('z9hG4bK')).toBe(true);
      expect(b.length).toBeGreaterThan(20);
      seen.add(b);
    }
    expect(seen.size).toBe(1000);
    expect(generateTag()).not.toBe(generateTag());
    expect(generateCallId('host.example.com')).toMatch(/^[A-Za-z0-9.-]{24}@host\.example\.com$/);
  });
});
