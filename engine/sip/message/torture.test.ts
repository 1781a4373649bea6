// RFC 4475 torture messages and RFC 5118 IPv6 messages: every fixture parses/validates as its manifest expects (RFC 4475 §3, RFC 5118 §4).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  lfToWire,
  type SipMessage,
  SipParseError,
  SipRequest,
  SipResponse,
  SipUri,
  tryParseMessage,
  validateRequest,
  validateResponse,
} from './index.ts';

interface ManifestEntry {
  name: string;
  file: string;
  rfc: string;
  section: string | null;
  title?: string;
  kind: 'request' | 'response';
  call_id?: string;
  cseq?: string;
  syntax_valid: boolean;
  valid: boolean;
  expect: 'accept' | 'reject' | 'discard';
  expected_codes: number[];
  acceptable_codes: number[];
  wire: string;
  sha256: string;
}

const dir = new URL('../../../test/fixtures/sip-torture/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as { messages: ManifestEntry[] };

/**
 * Known gaps: fixture name → why we do not meet the expectation yet. Each listed case is asserted to
 * still FAIL, so fixing a gap turns this list red until the entry is removed.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {};

function wireBytes(m: ManifestEntry): Buffer {
  const raw = readFileSync(new URL(m.file, dir));
  if (m.wire === 'as-is') return raw;
  if (m.wire === 'lf-to-crlf+terminate+fix-content-length') return lfToWire(raw);
  throw new Error(`unknown wire conversion ${m.wire}`);
}

/** What goes wrong for this fixture; [] when it meets its manifest expectation. */
function problems(m: ManifestEntry): string[] {
  const out: string[] = [];
  const parsed = tryParseMessage(wireBytes(m));
  const codes = new Set([...m.expected_codes, ...m.acceptable_codes]);
  if (parsed instanceof SipParseError) {
    if (m.syntax_valid) out.push(`parser refused well-formed bytes: ${parsed.code} ${parsed.message}`);
    if (m.expect === 'accept') out.push('not accepted');
    if (m.expect === 'reject' && (parsed.status === undefined || !codes.has(parsed.status))) {
      out.push(`parse error status ${parsed.status} not in ${[...codes]}`);
    }
    if (m.expect === 'discard' && parsed.status !== undefined && m.kind === 'response') {
      out.push(`a response must never be answered, got status ${parsed.status}`);
    }
    return out;
  }
  const msg: SipMessage = parsed;
  if ((m.kind === 'request') !== msg.isRequest) out.push(`parsed as ${msg.isRequest ? 'request' : 'response'}`);
  if (msg instanceof SipResponse) {
    const drop = validateResponse(msg);
    if (m.syntax_valid && drop !== null) out.push(`well-formed response judged bad: ${drop}`);
    if (!m.syntax_valid && drop === null) out.push('malformed response not dropped');
    if (m.expect !== 'discard') out.push(`expectation ${m.expect} for a response`);
    return out;
  }
  if (!(msg instanceof SipRequest)) return out;
  const uas = validateRequest(msg);
  const proxy = validateRequest(msg, { role: 'proxy' });
  if (m.expect === 'accept') {
    // Every role must either process it or answer one of the codes the RFC allows; at least one processes it.
    for (const [role, r] of [['uas', uas], ['proxy', proxy]] as const) {
      if (r !== null && !codes.has(r.status)) out.push(`${role} answered ${r.status} ${r.reason} (${r.rule})`);
    }
    if (uas !== null && proxy !== null) out.push('no role processes it');
    if (m.call_id !== undefined && msg.callId !== m.call_id) out.push(`Call-ID ${msg.callId}`);
    if (m.cseq !== undefined) {
      const [seq, method] = m.cseq.trim().split(/\s+/);
      const c = msg.cseq();
      if (c.seq !== Number(seq) || c.method !== method) out.push(`CSeq ${c.seq} ${c.method}`);
    }
  } else if (m.expect === 'reject') {
    if (uas === null) out.push('UAS accepted it');
    else if (!codes.has(uas.status)) out.push(`UAS answered ${uas.status} ${uas.reason}, want ${[...codes]}`);
  } else out.push('discard expected for a request');
  return out;
}

describe('RFC 4475 / RFC 5118 torture messages (manifest)', () => {
  it('has every fixture byte-exact (sha256 from the manifest)', () => {
    expect(manifest.messages.length).toBe(62);
    for (const m of manifest.messages) {
      const digest = createHash('sha256').update(readFileSync(new URL(m.file, dir))).digest('hex');
      expect(digest, m.file).toBe(m.sha256);
    }
  });

  for (const m of manifest.messages) {
    const where = m.section ? `RFC ${m.rfc} §${m.section}` : `RFC ${m.rfc} archive`;
    const codes = m.expected_codes.length ? ` ${m.expected_codes.join('/')}` : '';
    it(`${m.name}: ${m.expect}${codes} (${where})`, () => {
      const found = problems(m);
      if (KNOWN_GAPS[m.name]) expect(found, `known gap fixed? ${KNOWN_GAPS[m.name]}`).not.toEqual([]);
      else expect(found).toEqual([]);
    });
  }

  it('lists no known gap for a fixture that is not in the manifest', () => {
    const names = new Set(manifest.messages.map((m) => m.name));
    for (const gap of Object.keys(KNOWN_GAPS)) expect(names.has(gap), gap).toBe(true);
  });
});

function load(name: string): SipMessage {
  const m = manifest.messages.find((x) => x.name === name);
  if (!m) throw new Error(name);
  const r = tryParseMessage(wireBytes(m));
  if (r instanceof SipParseError) throw r;
  return r;
}

function req(name: string): SipRequest {
  const m = load(name);
  if (!(m instanceof SipRequest)) throw new Error(`${name} is not a request`);
  return m;
}

describe('torture details', () => {
  it('wsinv: folding, LWS, compact and odd-case names, escaped display name (RFC 4475 §3.1.1.1)', () => {
    const m = req('wsinv');
    expect(m.uri instanceof SipUri && m.uri.params.get('unknownparam')).toBe(null);
    expect(m.maxForwards()).toBe(68);
    expect(m.via().map((v) => `${v.transport} ${v.host} ${v.branch}`)).toEqual([
      'UDP 192.0.2.2 390skdjuw',
      'TCP spindle.example.com z9hG4bK9ikj8',
      'UDP 192.168.255.111 z9hG4bK30239',
    ]);
    expect(m.to().tag).toBe('1918181833n');
    expect(m.from().tag).toBe('98asjd8');
    expect(m.from().displayName).toBe('J Rosenberg \\"');
    expect(m.get('Subject')).toBe('');
    expect(m.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(m.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    const [c] = m.contacts();
    expect(c.displayName).toBe('Quoted string ""');
    expect(c.params.get('newparam')).toBe('newvalue');
    expect(c.params.get('secondparam')).toBe(null);
    expect(c.q).toBe(0.33);
    expect(m.body.length).toBe(150);
  });

  it('intmeth: extension method, odd Call-ID, quoted-pair controls, raw octets (RFC 4475 §3.1.1.2)', () => {
    const m = req('intmeth');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(m.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(m.to().displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(m.from().displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(m.from().tag).toBe("_token~1'+`*%!-.");
    const uri = m.uri as SipUri;
    expect(uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(uri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  });

  it('esc01: %-escapes unescaped once, params by unescaped name (RFC 4475 §3.1.1.3, RFC 3261 §19.1.2)', () => {
    const m = req('esc01');
    expect((m.uri as SipUri).user).toBe('sips:user@example.com');
    expect((m.to().uri as SipUri).user).toBe('user');
    expect((m.from().uri as SipUri).user).toBe('I have spaces');
    const c = m.contacts()[0].uri as SipUri;
    expect(c.user).toBe('caller');
    expect(c.lr).toBe(true);
    expect(c.params.get('name')).toBe('value%41');
    expect(m.contentType()?.mime).toBe('application/sdp');
  });

  it('escnull: %00 does not truncate, two Contact bindings (RFC 4475 §3.1.1.4)', () => {
    const m = req('escnull');
    expect((m.to().uri as SipUri).user).toBe('null-\x00-null');
    expect(m.contacts().map((c) => (c.uri as SipUri).user)).toEqual(['\x00', '\x00\x00']);
  });

  it('esc02: RE%47IST%45R is not REGISTER, C%6Fntact is not Contact (RFC 4475 §3.1.1.5)', () => {
    const m = req('esc02');
    expect(m.method).toBe('RE%47IST%45R');
    expect(m.contacts().map((c) => (c.uri as SipUri).host)).toEqual(['host1.example.com', 'host3.example.com']);
    expect(m.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
    expect(m.topVia().branch).toBe('z9hG4bK209%fzsnel234');
    expect(validateRequest(m)?.status).toBe(501);
    expect(validateRequest(m)?.headers?.[0][0]).toBe('Allow');
  });

  it('longreq: 34 Via values spelled many ways (RFC 4475 §3.1.1.7)', () => {
    const m = req('longreq');
    expect(m.via().length).toBe(34);
    expect(m.body.length).toBe(150);
  });

  it('dblreq: octets after Content-Length are ignored on datagrams (RFC 4475 §3.1.1.8, RFC 3261 §18.3)', () => {
    const m = req('dblreq');
    expect(m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
  });

  it('semiuri: ";" inside the user part is not a URI parameter (RFC 4475 §3.1.1.9)', () => {
    const u = req('semiuri').uri as SipUri;
    expect(u.user).toBe('user;par=u@example.net');
    expect(u.host).toBe('example.com');
    expect(u.params.size).toBe(0);
    expect(req('semiuri').getAll('Accept').length).toBe(6);
  });

  it('transports: extensible transport tokens (RFC 4475 §3.1.1.10)', () => {
    const m = req('transports');
    expect(m.via().map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
    expect(m.callId).toBe('transports.kijh4akdnaqjkwendsasfdj');
  });

  it('mpart01: binary body framed by Content-Length, valueless rport (RFC 4475 §3.1.1.11, RFC 3581 §3)', () => {
    const m = req('mpart01');
    expect(m.body.length).toBe(553);
    expect(m.body.includes(0)).toBe(true);
    expect(m.topVia().rport).toBe(null);
    expect(m.topVia().port).toBe(5070);
  });

  it('noreason/unreason: empty and UTF-8 reason phrases (RFC 4475 §3.1.1.12–13)', () => {
    expect((load('noreason') as SipResponse).reason).toBe('');
    expect((load('unreason') as SipResponse).reason).toContain('=');
  });

  it('inv2543: no Content-Length on a datagram means the rest of it (RFC 4475 §3.4.1)', () => {
    const m = req('inv2543');
    expect(m.body.length).toBe(105);
    expect(m.topVia().branch).toBe(undefined);
    expect(m.maxForwards()).toBe(undefined);
  });

  it('cparam01/02: an unbracketed Contact param is a header param, a bracketed one a URI param (RFC 4475 §3.3.12–13)', () => {
    const c1 = req('cparam01').contacts()[0];
    expect(c1.params.has('unknownparam')).toBe(true);
    expect((c1.uri as SipUri).params.has('unknownparam')).toBe(false);
    const c2 = req('cparam02').contacts()[0];
    expect(c2.params.has('unknownparam')).toBe(false);
    expect((c2.uri as SipUri).params.has('unknownparam')).toBe(true);
  });

  it('regescrt: escaped Route header inside a bracketed Contact is kept (RFC 4475 §3.3.14)', () => {
    const u = req('regescrt').contacts()[0].uri as SipUri;
    expect(u.headers.get('Route')).toBe('<sip:sip.example.com>');
    expect(u.toString()).toBe('sip:user@example.com?Route=%3Csip:sip.example.com%3E');
  });

  it('bext01: 420 lists the unknown Require tags in Unsupported (RFC 3261 §8.2.2.3)', () => {
    const r = validateRequest(req('bext01'));
    expect(r?.status).toBe(420);
    expect(r?.headers).toEqual([['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
    const p = validateRequest(req('bext01'), { role: 'proxy' });
    expect(p?.headers).toEqual([['Unsupported', 'noProxiesSupportThis, norDoAnyProxiesSupportThis']]);
  });

  it('zeromf: Max-Forwards 0 is 483 for a proxy, processed by a UAS (RFC 3261 §16.3 item 2, RFC 4475 §3.3.11)', () => {
    expect(validateRequest(req('zeromf'))).toBe(null);
    expect(validateRequest(req('zeromf'), { role: 'proxy' })?.status).toBe(483);
  });

  it('insuf: the reason phrase names the first missing header (RFC 4475 §3.3.1)', () => {
    expect(validateRequest(req('insuf'))?.reason).toMatch(/^Missing header: (To|From|Call-ID)$/);
  });

  it('IPv6 references in URIs and Via, received with or without brackets (RFC 5118 §4.1–4.5, §4.7, §4.9)', () => {
    expect((req('ipv6-good').uri as SipUri).host).toBe('[2001:db8::10]');
    const amb = req('port-ambiguous').uri as SipUri;
    expect([amb.host, amb.port]).toEqual(['[2001:db8::10:5070]', undefined]);
    const unamb = req('port-unambiguous').uri as SipUri;
    expect([unamb.host, unamb.port]).toEqual(['[2001:db8::10]', 5070]);
    expect(req('via-received-param-with-delim').topVia().received).toBe('2001:db8::9:255');
    expect(req('via-received-param-no-delim').topVia().received).toBe('2001:db8::9:255');
    const vias = req('mult-ip-in-header').via();
    expect(vias[0].host).toBe('[2001:db8::9:1]');
    expect(vias[0].port).toBe(6050);
    expect(vias.some((v) => v.received === '192.0.2.200')).toBe(true);
    expect((req('ipv4-mapped-ipv6').contacts()[0].uri as SipUri).host).toBe('[::ffff:192.0.2.2]');
    expect((req('ipv6-bug-abnf-3-colons').uri as SipUri).host).toBe('[2001:db8:::192.0.2.1]');
    expect(validateRequest(req('ipv6-bad'))?.status).toBe(400);
  });
});
