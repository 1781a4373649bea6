// Examples for SDP parsing and validation (RFC 4566 §5; RFC 3264 §8.4 hold forms).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SdpError } from './errors.ts';
import type { SdpErrorCode } from './errors.ts';
import { formatEventList, isHold, isNullAddress, parseEventList } from './model.ts';
import { parseSdp } from './parse.ts';
import { writeSdp } from './write.ts';

const vector = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

const MINIMAL = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0'];
const sdp = (lines: string[]): string => lines.join('\r\n') + '\r\n';
const replaceLine = (prefix: string, line: string | null): string[] => {
  const out = MINIMAL.flatMap((l) => (l.startsWith(prefix) ? (line === null ? [] : [line]) : [l]));
  return out;
};

function expectCode(text: string | Uint8Array, code: SdpErrorCode): SdpError {
  try {
    parseSdp(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SdpError);
    expect((err as SdpError).code).toBe(code);
    return err as SdpError;
  }
  throw new Error(`expected SdpError ${code}`);
}

describe('parseSdp: offers from devices', () => {
  it('reads a gateway offer: PCMU, PCMA, G.729, telephone-event 101 0-15, ptime (RFC 4566 §5.14, RFC 4733 §7.1)', () => {
    const d = parseSdp(vector('gateway-offer.sdp'));
    expect(d.origin).toEqual({
      username: '-',
      sessionId: '1718193923',
      sessionVersion: 1718193923n,
      addressType: 'IP4',
      address: '192.168.1.50',
    });
    expect(d.name).toBe('SIP Call');
    expect(d.timing).toEqual({ start: 0, stop: 0 });
    expect(d.media).toHaveLength(1);
    const m = d.media[0];
    expect(m.type).toBe('audio');
    expect(m.port).toBe(10000);
    expect(m.protocol).toBe('RTP/AVP');
    expect(m.formats).toEqual(['0', '8', '18', '101']);
    expect(m.payloads.map((p) => [p.payloadType, p.encoding, p.clockRate, p.fmtp])).toEqual([
      [0, 'PCMU', 8000, null],
      [8, 'PCMA', 8000, null],
      [18, 'G729', 8000, 'annexb=no'],
      [101, 'telephone-event', 8000, '0-15'],
    ]);
    expect(m.connection).toEqual({ addressType: 'IP4', address: '192.168.1.50' });
    expect(m.ptime).toBe(20);
    expect(m.direction).toBe('sendrecv');
    expect(isHold(m)).toBe(false);
  });

  it('reads a softphone offer: opus stereo first, two telephone-event rates, a=rtcp (RFC 3605)', () => {
    const m = parseSdp(vector('softphone-offer.sdp')).media[0];
    expect(m.payloads.map((p) => [p.payloadType, p.encoding, p.clockRate, p.channels])).toEqual([
      [96, 'opus', 48000, 2],
      [0, 'PCMU', 8000, 1],
      [97, 'telephone-event', 48000, 1],
      [101, 'telephone-event', 8000, 1],
    ]);
    expect(m.payloads[3].fmtp).toBe('0-16');
    expect(m.rtcp).toEqual({ port: 7079, connection: null });
    expect(m.ptime).toBeNull();
  });

  it('reads IPv6 connection and origin addresses (IN IP6, RFC 4566 §5.7)', () => {
    const d = parseSdp(vector('ipv6-offer.sdp'));
    expect(d.origin.addressType).toBe('IP6');
    expect(d.media[0].connection).toEqual({ addressType: 'IP6', address: '2001:db8:10::5' });
  });

  it('recognises RFC 2543 hold (c=0.0.0.0) and sendonly hold (RFC 3264 §8.4)', () => {
    const a = parseSdp(vector('hold-rfc2543.sdp'));
    expect(isNullAddress(a.media[0].connection)).toBe(true);
    expect(a.media[0].direction).toBe('sendrecv');
    expect(isHold(a.media[0])).toBe(true);
    const b = parseSdp(vector('hold-sendonly.sdp'));
    expect(b.media[0].direction).toBe('sendonly');
    expect(isHold(b.media[0])).toBe(true);
    expect(isNullAddress({ addressType: 'IP6', address: '::' })).toBe(true);
  });

  it('keeps m-lines in order with their own payloads (video then audio)', () => {
    const d = parseSdp(vector('video-audio.sdp'));
    expect(d.media.map((m) => [m.type, m.port])).toEqual([
      ['video', 51372],
      ['audio', 49170],
    ]);
    expect(d.media[0].payloads.map((p) => p.encoding)).toEqual(['H264', 'H263']);
    expect(d.media[1].payloads.map((p) => p.encoding)).toEqual(['G722', 'PCMU', 'PCMA', 'telephone-event']);
  });

  it('reads non-RTP streams without payload types (T.38 udptl)', () => {
    const d = parseSdp(vector('srtp-only.sdp'));
    expect(d.media[1]).toMatchObject({ type: 'image', protocol: 'udptl', formats: ['t38'], payloads: [] });
    expect(d.media[0].protocol).toBe('RTP/SAVP');
  });

  it('accepts CRLF and LF line ends alike (RFC 4566 §5)', () => {
    for (const name of ['gateway-offer.sdp', 'softphone-offer.sdp', 'video-audio.sdp']) {
      expect(parseSdp(crlf(vector(name)))).toEqual(parseSdp(vector(name)));
    }
  });

  it('accepts a Buffer body', () => {
    expect(parseSdp(Buffer.from(vector('gateway-offer.sdp')))).toEqual(parseSdp(vector('gateway-offer.sdp')));
  });
});

describe('parseSdp: session defaults', () => {
  it('applies a session-level direction unless the m-line has its own (RFC 4566 §6)', () => {
    const d = parseSdp(sdp([...MINIMAL.slice(0, 5), 'a=inactive', 'm=audio 4000 RTP/AVP 0', 'm=audio 4002 RTP/AVP 8', 'a=recvonly']));
    expect(d.direction).toBe('inactive');
    expect(d.media.map((m) => m.direction)).toEqual(['inactive', 'recvonly']);
  });

  it('lets a media-level c= override the session one, and needs none at session level if every stream has one', () => {
    const d = parseSdp(sdp(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 192.0.2.9']));
    expect(d.connection).toBeNull();
    expect(d.media[0].connection?.address).toBe('192.0.2.9');
  });

  it('allows a disabled stream (port 0) without a connection address', () => {
    const d = parseSdp(sdp(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=video 0 RTP/AVP 31']));
    expect(d.media[0].port).toBe(0);
    expect(d.media[0].connection).toBeNull();
  });

  it('reads a port count and multicast TTL suffixes (RFC 4566 §5.7, §5.14)', () => {
    const d = parseSdp(sdp([...MINIMAL.slice(0, 3), 'c=IN IP4 224.2.1.1/127/3', 't=0 0', 'm=audio 49170/2 RTP/AVP 0']));
    expect(d.media[0]).toMatchObject({ port: 49170, portCount: 2, connection: { address: '224.2.1.1' } });
  });

  it('gives dynamic payload types without rtpmap an empty encoding', () => {
    const m = parseSdp(sdp([...MINIMAL.slice(0, 5), 'm=audio 4000 RTP/AVP 0 99'])).media[0];
    expect(m.payloads[1]).toEqual({ payloadType: 99, encoding: '', clockRate: 0, channels: 1, fmtp: null });
  });

  it('keeps session versions beyond 2^53 exact', () => {
    const d = parseSdp(sdp(replaceLine('o=', 'o=- 18446744073709551615 18446744073709551615 IN IP4 192.0.2.1')));
    expect(d.origin.sessionVersion).toBe(18446744073709551615n);
    expect(writeSdp(d)).toContain('o=- 18446744073709551615 18446744073709551615 IN IP4 192.0.2.1\r\n');
  });
});

describe('parseSdp: malformed SDP is refused with a typed error (RFC 4566 §5)', () => {
  const cases: Array<[string, string | Uint8Array, SdpErrorCode]> = [
    ['empty body', '', 'empty'],
    ['only blank lines', '\r\n\r\n', 'empty'],
    ['a line that is not type=value', sdp([...MINIMAL, 'hello world']), 'bad-line'],
    ['first line is not v=', sdp(MINIMAL.slice(1)), 'missing-version'],
    ['v=1', sdp(replaceLine('v=', 'v=1')), 'bad-version'],
    ['no o=', sdp(replaceLine('o=', null)), 'missing-origin'],
    ['o= with five fields', sdp(replaceLine('o=', 'o=- 1 IN IP4 192.0.2.1')), 'bad-origin'],
    ['o= with a non-numeric version', sdp(replaceLine('o=', 'o=- 1 v2 IN IP4 192.0.2.1')), 'bad-origin'],
    ['o= with network type XX', sdp(replaceLine('o=', 'o=- 1 1 XX IP4 192.0.2.1')), 'bad-origin'],
    ['no s=', sdp(replaceLine('s=', null)), 'missing-session-name'],
    ['no t=', sdp(replaceLine('t=', null)), 'missing-timing'],
    ['t= not numeric', sdp(replaceLine('t=', 't=now later')), 'bad-timing'],
    ['c= with an invalid IPv4 address', sdp(replaceLine('c=', 'c=IN IP4 999.1.1.1')), 'bad-connection'],
    ['c= IP4 with an IPv6 address', sdp(replaceLine('c=', 'c=IN IP4 2001:db8::1')), 'bad-connection'],
    ['c= without address', sdp(replaceLine('c=', 'c=IN IP4')), 'bad-connection'],
    ['c= with address type IPX', sdp(replaceLine('c=', 'c=IN IPX 192.0.2.1')), 'bad-connection'],
    ['no c= for an active stream', sdp(replaceLine('c=', null)), 'missing-connection'],
    ['no m=', sdp(replaceLine('m=', null)), 'missing-media'],
    ['m= without formats', sdp(replaceLine('m=', 'm=audio 4000 RTP/AVP')), 'bad-media'],
    ['m= port above 65535', sdp(replaceLine('m=', 'm=audio 70000 RTP/AVP 0')), 'bad-port'],
    ['m= port not a number', sdp(replaceLine('m=', 'm=audio port RTP/AVP 0')), 'bad-port'],
    ['m= payload type above 127', sdp(replaceLine('m=', 'm=audio 4000 RTP/AVP 0 200')), 'bad-payload-type'],
    ['m= payload type not a number', sdp(replaceLine('m=', 'm=audio 4000 RTP/AVP PCMU')), 'bad-payload-type'],
    ['a second v= line', sdp([...MINIMAL, 'v=0']), 'bad-version'],
    ['o= inside a media section', sdp([...MINIMAL, 'o=- 1 1 IN IP4 192.0.2.1']), 'bad-origin'],
  ];
  for (const [title, text, code] of cases) {
    it(`${title} → ${code}`, () => {
      const err = expectCode(text, code);
      expect(err.status).toBe(400);
      expect(err.message.length).toBeGreaterThan(0);
    });
  }

  it('names the line of the fault', () => {
    const err = expectCode(sdp(replaceLine('m=', 'm=audio 70000 RTP/AVP 0')), 'bad-port');
    expect(err.line).toBe(6);
    expect(err.mediaIndex).toBe(0);
  });

  it('refuses bodies over the size limit before parsing', () => {
    expect(() => parseSdp(sdp(MINIMAL) + `a=x:${'y'.repeat(70_000)}\r\n`)).toThrow(SdpError);
    expect(() => parseSdp(sdp(MINIMAL), { maxLength: 10 })).toThrowError(expect.objectContaining({ code: 'too-large' }));
  });
});

describe('telephone-event lists (RFC 4733 §7.1.1)', () => {
  it('parses ranges and single events and writes them back as ranges', () => {
    expect(parseEventList('0-15')).toEqual([...Array(16).keys()]);
    expect(parseEventList('0-11,16, 32-33')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 32, 33]);
    expect(formatEventList([16, 0, 1, 2, 3, 32])).toBe('0-3,16,32');
    expect(parseEventList('15-0')).toBeNull();
    expect(parseEventList('0-256')).toBeNull();
    expect(parseEventList('a')).toBeNull();
    expect(parseEventList('')).toBeNull();
  });
});
