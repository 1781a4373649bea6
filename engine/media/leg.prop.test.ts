// Properties of the RTP leg's receive path: symmetric RTP latches once and admits exactly the latched source (RFC 4961, DESIGN §6); hostile datagrams never throw (RFC 3550 §5.1 framing, STYLE "Wire types").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeTelephoneEvent } from '../rtp/dtmf.ts';
import { RtpPacket } from '../rtp/packet.ts';
import { ManualMediaClock } from './clock.ts';
import { RtpLeg } from './leg.ts';
import type { LegMedia, PayloadKind, RtpSink } from './leg.ts';
import { fakeLegSockets } from './testing.ts';

const PEER = '203.0.113.5';

function media(address: string): LegMedia {
  return {
    codec: 'PCMU',
    sendPayloadType: 0,
    receivePayloadType: 0,
    telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
    remote: { address, port: 40000, rtcpAddress: address, rtcpPort: 40001 },
    direction: 'sendrecv',
  };
}

class Spy implements RtpSink {
  readonly got: Array<{ seq: number; kind: PayloadKind }> = [];
  onRtp(_from: RtpLeg, buf: Buffer, _len: number, _start: number, _end: number, kind: PayloadKind): void {
    this.got.push({ seq: (buf[2] << 8) | buf[3], kind });
  }
  legClosed(): void {}
}

type What = 'audio' | 'event' | 'unknownPt' | 'garbage';
const SOURCES = [
  [PEER, 41000],
  [PEER, 41002],
  ['198.51.100.7', 41000],
  ['198.51.100.8', 5004],
] as const;

function datagram(what: What, seq: number): Uint8Array {
  switch (what) {
    case 'audio':
      return new RtpPacket({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 7, payload: new Uint8Array(160) }).serialize();
    case 'event': {
      const ev = new Uint8Array(4);
      writeTelephoneEvent(ev, 0, 3, false, 10, 160);
      return new RtpPacket({ payloadType: 101, sequenceNumber: seq, timestamp: 0, ssrc: 7, payload: ev }).serialize();
    }
    case 'unknownPt':
      return new RtpPacket({ payloadType: 18, sequenceNumber: seq, timestamp: 0, ssrc: 7, payload: new Uint8Array(20) }).serialize();
    case 'garbage':
      return Uint8Array.from([0x40, seq & 0xff, 1, 2, 3]);
    default: {
      const never: never = what;
      return never;
    }
  }
}

describe('RtpLeg latching model (RFC 4961, DESIGN §6)', () => {
  it('admits exactly what a once-latching model admits; every other datagram is counted once', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(PEER, '192.168.0.10'),
        fc.array(fc.tuple(fc.integer({ min: 0, max: SOURCES.length - 1 }), fc.constantFrom<What>('audio', 'event', 'unknownPt', 'garbage')), { maxLength: 60 }),
        (sdpAddress, events) => {
          const sockets = fakeLegSockets();
          const leg = new RtpLeg(sockets, { clock: new ManualMediaClock(), log: () => {} });
          leg.setMedia(media(sdpAddress));
          const spy = new Spy();
          leg.setSink(spy);
          // The model.
          const anySource = sdpAddress !== PEER; // a private SDP address latches to the first source
          let latched: string | null = null;
          const expected: Array<{ seq: number; kind: PayloadKind }> = [];
          const count = { strangers: 0, malformed: 0, unknownPayloadType: 0 };
          events.forEach(([s, what], seq) => {
            const [address, port] = SOURCES[s];
            const key = `${address}:${port}`;
            sockets.rtp.deliver(datagram(what, seq), address, port);
            if (latched !== null ? key !== latched : !anySource && address !== PEER) count.strangers++;
            else if (what === 'garbage') count.malformed++;
            else if (what === 'unknownPt') count.unknownPayloadType++;
            else {
              latched ??= key;
              expected.push({ seq, kind: what === 'audio' ? 'PCMU' : 'event' });
            }
          });
          expect(spy.got).toEqual(expected);
          expect(leg.counters).toMatchObject({ ...count, rtpIn: expected.length, handlerErrors: 0 });
          expect(leg.latchedSource === null ? null : `${leg.latchedSource.address}:${leg.latchedSource.port}`).toBe(latched);
          void leg.close();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random datagrams on the RTP and RTCP ports, from the peer or anyone, never throw', () => {
    const sockets = fakeLegSockets();
    const leg = new RtpLeg(sockets, { clock: new ManualMediaClock(), log: () => {}, latch: 'any' });
    leg.setMedia(media(PEER));
    const spy = new Spy();
    leg.setSink(spy);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(PEER, '198.51.100.1'), fc.integer({ min: 1, max: 65535 }), (bytes, addr, port) => {
        expect(() => sockets.rtp.deliver(bytes, addr, port)).not.toThrow();
        expect(() => sockets.rtcp.deliver(bytes, addr, port)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    expect(leg.counters.handlerErrors).toBe(0);
    void leg.close();
  });
});
