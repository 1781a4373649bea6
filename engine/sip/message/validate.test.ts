// Examples for the request validation table and response dropping (RFC 3261 §8.2, §16.3, §8.1.3.3).
import { describe, expect, it } from 'vitest';
import { parseMessage, REQUEST_RULES, SipRequest, SipResponse, validateRequest, validateResponse } from './index.ts';

function req(extra: string[], start = 'INVITE sip:bob@example.com SIP/2.0', body = ''): SipRequest {
  const method = start.split(' ')[0];
  const base = new Map<string, string>([
    ['Via', 'SIP/2.0/UDP pc.example.com;branch=z9hG4bK1'],
    ['To', '<sip:bob@example.com>'],
    ['From', '<sip:alice@example.com>;tag=1'],
    ['Call-ID', 'c1'],
    ['CSeq', `1 ${method}`],
    ['Max-Forwards', '70'],
  ]);
  const lines = [start];
  for (const e of extra) {
    const [n, v] = [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1).trim()];
    if (v === '') base.delete(n);
    else base.set(n, v);
  }
  for (const [n, v] of base) lines.push(`${n}: ${v}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  const m = parseMessage(Buffer.from(lines.join('\r\n')));
  if (!(m instanceof SipRequest)) throw new Error('not a request');
  return m;
}

describe('validateRequest rule table', () => {
  it('cites an RFC section for every rule and has unique ids', () => {
    const ids = new Set(REQUEST_RULES.map((r) => r.id));
    expect(ids.size).toBe(REQUEST_RULES.length);
    for (const r of REQUEST_RULES) expect(r.rfc, r.id).toMatch(/RFC \d+ §/);
  });

  it('accepts a well-formed INVITE', () => {
    expect(validateRequest(req([]))).toBe(null);
  });

  it('tolerates a missing Max-Forwards (RFC 3261 §8.1.1.6) but names other missing headers (RFC 3261 §8.1.1)', () => {
    expect(validateRequest(req(['Max-Forwards:']))).toBe(null);
    for (const h of ['To', 'From', 'Call-ID', 'CSeq', 'Via']) {
      const r = validateRequest(req([`${h}:`]));
      expect([r?.status, r?.reason]).toEqual([400, `Missing header: ${h}`]);
    }
  });

  it('answers 505 to another SIP version (RFC 3261 §21.5.9)', () => {
    expect(validateRequest(req([], 'INVITE sip:bob@example.com SIP/3.0'))?.status).toBe(505);
  });

  it('answers 416 to an unsupported scheme, configurable (RFC 3261 §8.2.2.1)', () => {
    expect(validateRequest(req([], 'INVITE im:bob@example.com SIP/2.0'))?.status).toBe(416);
    expect(validateRequest(req([], 'INVITE tel:+15551234 SIP/2.0'))).toBe(null);
    expect(validateRequest(req([], 'INVITE tel:+15551234 SIP/2.0'), { schemes: ['sip'] })?.status).toBe(416);
  });

  it('answers 501 with Allow to an unknown method as a UAS only (RFC 3261 §8.2.1)', () => {
    const r = validateRequest(req([], 'FOO sip:bob@example.com SIP/2.0'));
    expect(r?.status).toBe(501);
    expect(r?.headers?.[0]).toEqual(['Allow', expect.stringContaining('INVITE')]);
    expect(validateRequest(req([], 'FOO sip:bob@example.com SIP/2.0'), { role: 'proxy' })).toBe(null);
    expect(validateRequest(req([], 'FOO sip:bob@example.com SIP/2.0'), { knownMethods: ['FOO'] })).toBe(null);
  });

  it('answers 420 with Unsupported unless the tag is supported, never for ACK (RFC 3261 §8.2.2.3)', () => {
    const r = validateRequest(req(['Require: 100rel, foo']), { supported: ['100rel'] });
    expect([r?.status, r?.headers]).toEqual([420, [['Unsupported', 'foo']]]);
    expect(validateRequest(req(['Require: 100rel']), { supported: ['100rel'] })).toBe(null);
    expect(validateRequest(req(['Require: foo', 'CSeq: 1 ACK'], 'ACK sip:bob@example.com SIP/2.0'))).toBe(null);
  });

  it('answers 483 to Max-Forwards 0 as a proxy (RFC 3261 §16.3 item 2)', () => {
    expect(validateRequest(req(['Max-Forwards: 0']))).toBe(null);
    expect(validateRequest(req(['Max-Forwards: 0']), { role: 'proxy' })?.status).toBe(483);
  });

  it('answers 415 with Accept to an unknown body type, and 400 to a body without Content-Type (RFC 3261 §8.2.3, §20.15)', () => {
    const r = validateRequest(req(['Content-Type: application/x-foo'], undefined, 'abc'));
    expect(r?.status).toBe(415);
    expect(r?.headers?.[0][0]).toBe('Accept');
    expect(validateRequest(req([], undefined, 'abc'))?.reason).toBe('Missing header: Content-Type');
  });

  it('answers 406 when Accept excludes SDP on INVITE (RFC 3261 §21.4.7)', () => {
    expect(validateRequest(req(['Accept: text/plain']))?.status).toBe(406);
    expect(validateRequest(req(['Accept: text/plain, application/*']))).toBe(null);
  });

  it('answers 400 to duplicate singleton headers, CSeq mismatch, malformed headers', () => {
    expect(validateRequest(req(['CSeq: 1 BYE']))?.rule).toBe('cseq-method');
    expect(validateRequest(req(['Max-Forwards: 256']))?.reason).toBe('Invalid header: Max-Forwards');
    expect(validateRequest(req(['Contact: <sip:a@b>;;']))?.reason).toBe('Invalid header: Contact');
    const dup = parseMessage(Buffer.from(req([]).toString().replace('Call-ID: c1\r\n', 'Call-ID: c1\r\nCall-ID: c2\r\n')));
    expect(validateRequest(dup as SipRequest)?.reason).toBe('Duplicate header: Call-ID');
  });

  it('allows Contact: * only on REGISTER with Expires 0 (RFC 3261 §10.3 step 6)', () => {
    expect(validateRequest(req(['Contact: *', 'Expires: 0', 'CSeq: 1 REGISTER'], 'REGISTER sip:example.com SIP/2.0'))).toBe(null);
    expect(validateRequest(req(['Contact: *', 'CSeq: 1 REGISTER'], 'REGISTER sip:example.com SIP/2.0'))?.status).toBe(400);
  });

  it('marks a bad ACK as to be dropped, never answered (RFC 3261 §17.2.3)', () => {
    const r = validateRequest(req(['CSeq: 1 ACK', 'Call-ID:'], 'ACK sip:bob@example.com SIP/2.0'));
    expect(r?.drop).toBe(true);
    expect(validateRequest(req(['Call-ID:']))?.drop).toBe(false);
  });
});

describe('validateResponse', () => {
  const res = (extra = ''): SipResponse =>
    parseMessage(
      Buffer.from(
        `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n${extra}To: <sip:b@x>;tag=2\r\nFrom: <sip:a@x>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
      ),
    ) as SipResponse;

  it('keeps a good response and drops one with a broken CSeq (RFC 4475 §3.1.2.5)', () => {
    expect(validateResponse(res())).toBe(null);
    const bad = res();
    bad.set('CSeq', '99999999999 INVITE');
    expect(validateResponse(bad)).toBe('Invalid header: CSeq');
  });

  it('drops a response with two Vias at a UAC (RFC 3261 §8.1.3.3)', () => {
    const r = res('Via: SIP/2.0/UDP b;branch=z9hG4bK2\r\n');
    expect(validateResponse(r)).toBe(null);
    expect(validateResponse(r, { role: 'uac' })).not.toBe(null);
  });
});
