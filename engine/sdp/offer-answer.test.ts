// Examples for SDP offer/answer (RFC 3264 §5, §6, §6.1, §8, §8.4; RFC 4733 §7.1.1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SdpError } from './errors.ts';
import type { SessionDescription } from './model.ts';
import {
  SdpOrigin,
  answerDirection,
  createAnswer,
  createOffer,
  holdDirection,
  isSameVersion,
  negotiated,
} from './offer-answer.ts';
import { parseSdp } from './parse.ts';
import { writeSdp } from './write.ts';

const vector = (name: string): SessionDescription =>
  parseSdp(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8'));
const US = { address: '203.0.113.10', port: 20000 };

/** Writes and reparses, so every check also covers what goes on the wire. */
const wire = (d: SessionDescription): SessionDescription => parseSdp(writeSdp(d));

function expectSdpError(fn: () => unknown, code: string): SdpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SdpError);
    expect((err as SdpError).code).toBe(code);
    return err as SdpError;
  }
  throw new Error(`expected SdpError ${code}`);
}

describe('createOffer (RFC 3264 §5)', () => {
  it('offers our codecs in preference order, telephone-event 101 0-16, ptime 20, sendrecv', () => {
    const text = writeSdp(createOffer({ ...US, origin: new SdpOrigin({ address: US.address, sessionId: '42' }) }));
    expect(text).toBe(
      [
        'v=0',
        'o=- 42 1 IN IP4 203.0.113.10',
        's=hotline',
        'c=IN IP4 203.0.113.10',
        't=0 0',
        'm=audio 20000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
  });

  it('follows the codec order and options given', () => {
    const d = wire(createOffer({ ...US, codecs: ['PCMA'], telephoneEventPayloadType: 96, telephoneEvents: '0-15', ptime: 30 }));
    const m = d.media[0];
    expect(m.formats).toEqual(['8', '96']);
    expect(m.payloads[1]).toMatchObject({ encoding: 'telephone-event', fmtp: '0-15' });
    expect(m.ptime).toBe(30);
    expect(wire(createOffer({ ...US, telephoneEvent: false })).media[0].formats).toEqual(['0', '8']);
  });

  it('describes an IPv6 address with IN IP6 (RFC 4566 §5.7)', () => {
    const text = writeSdp(createOffer({ address: '2001:db8::7', port: 20002 }));
    expect(text).toMatch(/^o=- \d+ 1 IN IP6 2001:db8::7\r$/m);
    expect(text).toContain('c=IN IP6 2001:db8::7\r\n');
  });

  it('refuses invalid options with a TypeError naming the field', () => {
    expect(() => createOffer({ address: 'example.com', port: 20000 })).toThrow(/address/);
    expect(() => createOffer({ ...US, port: 70000 })).toThrow(/port/);
    expect(() => createOffer({ ...US, codecs: [] })).toThrow(/codecs/);
    expect(() => createOffer({ ...US, telephoneEventPayloadType: 13 })).toThrow(/telephoneEventPayloadType/);
    expect(() => createOffer({ ...US, telephoneEvents: 'x' })).toThrow(/telephoneEvents/);
    expect(() => createOffer({ ...US, ptime: 0 })).toThrow(/ptime/);
  });
});

describe('origin versions (RFC 3264 §8)', () => {
  it('keeps the version for an unchanged description and adds one per change (hold, unhold)', () => {
    const origin = new SdpOrigin({ address: US.address, sessionId: '7', sessionVersion: 100n });
    const first = createOffer({ ...US, origin });
    const again = createOffer({ ...US, origin });
    const hold = createOffer({ ...US, origin, direction: holdDirection('sendrecv') });
    const unhold = createOffer({ ...US, origin });
    expect([first, again, hold, unhold].map((d) => d.origin.sessionVersion)).toEqual([100n, 100n, 101n, 102n]);
    expect(hold.media[0].direction).toBe('sendonly');
    expect(new Set([first, hold, unhold].map((d) => d.origin.sessionId))).toEqual(new Set(['7']));
    expect(isSameVersion(first, again)).toBe(true);
    expect(isSameVersion(first, hold)).toBe(false);
  });

  it('holds a recvonly stream with inactive (RFC 3264 §8.4)', () => {
    expect(holdDirection('sendrecv')).toBe('sendonly');
    expect(holdDirection('recvonly')).toBe('inactive');
    expect(holdDirection('inactive')).toBe('inactive');
  });

  it('counts answers of the same dialog in the same origin', () => {
    const origin = new SdpOrigin({ address: US.address });
    const a1 = createAnswer(vector('gateway-offer.sdp'), { ...US, origin });
    const a2 = createAnswer(vector('hold-sendonly.sdp'), { ...US, origin });
    expect(a2.origin.sessionVersion).toBe(a1.origin.sessionVersion + 1n);
  });
});

describe('createAnswer (RFC 3264 §6)', () => {
  it('answers a gateway offer with PCMU 0 and its telephone-event 101 (RFC 3264 §6.1)', () => {
    const offer = vector('gateway-offer.sdp');
    const answer = wire(createAnswer(offer, US));
    const m = answer.media[0];
    expect(m.port).toBe(20000);
    expect(m.formats).toEqual(['0', '101']);
    expect(m.payloads[1]).toMatchObject({ encoding: 'telephone-event', clockRate: 8000, fmtp: '0-15' });
    expect(m.direction).toBe('sendrecv');
    expect(m.ptime).toBe(20);
    expect(answer.connection).toEqual({ addressType: 'IP4', address: US.address });
    expect(answer.timing).toEqual(offer.timing);
  });

  it('picks the first offered codec we support, skipping opus, and the 8 kHz telephone-event (softphone)', () => {
    const m = wire(createAnswer(vector('softphone-offer.sdp'), US)).media[0];
    expect(m.formats).toEqual(['0', '101']);
    expect(m.payloads[1].fmtp).toBe('0-16');
  });

  it('follows the offerer’s order, not ours, and only what we support', () => {
    expect(createAnswer(vector('ipv6-offer.sdp'), { ...US, codecs: ['PCMU', 'PCMA'] }).media[0].formats[0]).toBe('8');
    expect(createAnswer(vector('gateway-offer.sdp'), { ...US, codecs: ['PCMA'] }).media[0].formats).toEqual(['8', '101']);
    expect(createAnswer(vector('gateway-offer.sdp'), { ...US, telephoneEvent: false }).media[0].formats).toEqual(['0']);
  });

  it('keeps the offerer’s dynamic payload type numbers and limits events to ours', () => {
    const offer = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 96\r\na=rtpmap:96 TELEPHONE-EVENT/8000\r\na=fmtp:96 0-15,32-40\r\n',
    );
    const m = wire(createAnswer(offer, { ...US, telephoneEvents: '0-16' })).media[0];
    expect(m.formats).toEqual(['8', '96']);
    expect(m.payloads[1].fmtp).toBe('0-15');
  });

  it('treats a telephone-event without fmtp as 0-15 (RFC 4733 §7.1.1)', () => {
    const offer = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 100\r\na=rtpmap:100 telephone-event/8000\r\n',
    );
    expect(createAnswer(offer, US).media[0].payloads[1].fmtp).toBe('0-15');
  });

  it('answers an IPv6 offer; negotiated reports the IPv6 remote', () => {
    const offer = vector('ipv6-offer.sdp');
    const answer = createAnswer(offer, { address: '2001:db8::7', port: 20010 });
    expect(writeSdp(answer)).toContain('c=IN IP6 2001:db8::7\r\n');
    const n = negotiated(answer, offer);
    expect(n.remote).toEqual({ addressType: 'IP6', address: '2001:db8:10::5', port: 49170, rtcpAddress: '2001:db8:10::5', rtcpPort: 49171 });
    expect(n.codec).toBe('PCMA');
  });

  it('answers sendonly with recvonly, recvonly with sendonly, inactive with inactive (RFC 3264 §6.1)', () => {
    expect(createAnswer(vector('hold-sendonly.sdp'), US).media[0].direction).toBe('recvonly');
    expect(answerDirection('recvonly', 'sendrecv')).toBe('sendonly');
    expect(answerDirection('inactive', 'sendrecv')).toBe('inactive');
    expect(answerDirection('sendrecv', 'sendonly')).toBe('sendonly');
    expect(answerDirection('sendonly', 'sendonly')).toBe('inactive');
  });

  it('answers an RFC 2543 hold (c=0.0.0.0) without holding back, and does not send to 0.0.0.0 (RFC 3264 §8.4)', () => {
    const offer = vector('hold-rfc2543.sdp');
    const answer = createAnswer(offer, US);
    expect(answer.media[0].direction).toBe('sendrecv');
    const n = negotiated(answer, offer);
    expect(n.direction).toBe('recvonly');
    expect(n.remoteHold).toBe(true);
  });

  it('rejects video with port 0 and keeps the m-line count and order (RFC 3264 §6)', () => {
    const offer = vector('video-audio.sdp');
    const answer = wire(createAnswer(offer, US));
    expect(answer.media.map((m) => [m.type, m.port, m.protocol])).toEqual([
      ['video', 0, 'RTP/AVP'],
      ['audio', 20000, 'RTP/AVP'],
    ]);
    expect(answer.media[0].formats.length).toBeGreaterThan(0);
    expect(answer.media[1].formats).toEqual(['0', '101']);
    expect(negotiated(answer, offer).mediaIndex).toBe(1);
  });

  it('accepts only the first usable audio stream and rejects a second one', () => {
    const offer = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\nm=audio 4002 RTP/AVP 8\r\nm=audio 4004 RTP/AVP 0\r\n',
    );
    expect(createAnswer(offer, US).media.map((m) => m.port)).toEqual([0, 20000, 0]);
  });

  it('throws no-common-codec (488) when no audio stream is usable', () => {
    const g729only = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 101\r\na=rtpmap:101 telephone-event/8000\r\n',
    );
    expect(expectSdpError(() => createAnswer(g729only, US), 'no-common-codec').status).toBe(488);
    expectSdpError(() => createAnswer(vector('srtp-only.sdp'), US), 'no-common-codec');
    expectSdpError(() => createAnswer(disabled(vector('gateway-offer.sdp')), US), 'no-common-codec');
    // PCMU at 16 kHz is not G.711.
    const wideband = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 97\r\na=rtpmap:97 PCMU/16000\r\n',
    );
    expectSdpError(() => createAnswer(wideband, US), 'no-common-codec');
  });

  it('parses an offer given as text, and passes its parse errors on', () => {
    expect(createAnswer(writeSdp(vector('gateway-offer.sdp')), US).media[0].formats).toEqual(['0', '101']);
    expectSdpError(() => createAnswer('v=0\r\n', US), 'missing-origin');
  });
});

function disabled(d: SessionDescription): SessionDescription {
  return { ...d, media: d.media.map((m) => ({ ...m, port: 0 })) };
}

describe('negotiated (RFC 3264 §5.1, §6.1)', () => {
  it('gives codec, payload types, telephone-event, remote address, ptime and direction after our answer', () => {
    const offer = vector('gateway-offer.sdp');
    const n = negotiated(createAnswer(offer, US), offer);
    expect(n).toEqual({
      mediaIndex: 0,
      codec: 'PCMU',
      clockRate: 8000,
      sendPayloadType: 0,
      receivePayloadType: 0,
      telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101, events: [...Array(16).keys()] },
      remote: { addressType: 'IP4', address: '192.168.1.50', port: 10000, rtcpAddress: '192.168.1.50', rtcpPort: 10001 },
      ptime: 20,
      direction: 'sendrecv',
      remoteHold: false,
    });
  });

  it('reads a remote answer to our offer, with the answerer’s own telephone-event number', () => {
    const offer = createOffer(US);
    const answer = parseSdp(
      'v=0\r\no=gw 5 5 IN IP4 192.0.2.44\r\ns=-\r\nc=IN IP4 192.0.2.44\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-11\r\na=ptime:30\r\na=rtcp:6011 IN IP4 192.0.2.45\r\n',
    );
    const n = negotiated(offer, answer);
    expect(n.codec).toBe('PCMA');
    expect([n.sendPayloadType, n.receivePayloadType]).toEqual([8, 8]);
    expect(n.telephoneEvent).toEqual({ sendPayloadType: 96, receivePayloadType: 101, events: [...Array(12).keys()] });
    expect(n.ptime).toBe(30);
    expect(n.remote).toMatchObject({ rtcpAddress: '192.0.2.45', rtcpPort: 6011 });
  });

  it('reports the remote’s sendonly hold as our recvonly, and ours as sendonly', () => {
    const offer = vector('hold-sendonly.sdp');
    const n = negotiated(createAnswer(offer, US), offer);
    expect(n.direction).toBe('recvonly');
    expect(n.remoteHold).toBe(true);
    const ours = createOffer({ ...US, direction: 'sendonly' });
    const theirs = createAnswer(ours, { address: '192.0.2.5', port: 4000 });
    expect(theirs.media[0].direction).toBe('recvonly');
    const m = negotiated(ours, theirs);
    expect(m.direction).toBe('sendonly');
    expect(m.remoteHold).toBe(false);
  });

  it('has no telephone-event when only one side lists it', () => {
    const offer = vector('gateway-offer.sdp');
    expect(negotiated(createAnswer(offer, { ...US, telephoneEvent: false }), offer).telephoneEvent).toBeNull();
  });

  it('fails with media-mismatch on a different m-line count, no-common-codec on a rejected answer', () => {
    const offer = vector('video-audio.sdp');
    const answer = createAnswer(offer, US);
    expectSdpError(() => negotiated(answer, vector('gateway-offer.sdp')), 'media-mismatch');
    expectSdpError(() => negotiated(createOffer(US), disabled(createAnswer(createOffer(US), US))), 'no-common-codec');
  });
});
