// The layer's entry point exports the public API of every module (RFC 3550, RFC 4733).
import { describe, expect, it } from 'vitest';
import * as rtp from './index.ts';

describe('engine/rtp entry point', () => {
  it('exports the packet, RTCP, stats, DTMF, detector and jitter buffer APIs', () => {
    for (const name of [
      'parseRtp',
      'RtpPacket',
      'rtpSeq',
      'setRtpSeq',
      'isRtpPacket',
      'parseRtcpCompound',
      'RtcpSenderReport',
      'seqLess',
      'SequenceTracker',
      'LegStats',
      'estimateMos',
      'DtmfSender',
      'DtmfReceiver',
      'DtmfDetector',
      'DigitStream',
      'JitterBuffer',
      'RtpParseError',
      'ntpFromUnixMs',
      'RtpStreamWriter',
      'staticPayloadType',
    ]) {
      expect(typeof (rtp as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
