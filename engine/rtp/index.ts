// Public surface of the RTP layer: RTP/RTCP packets, AVP profile, outgoing streams, sequence arithmetic, statistics, RFC 4733 DTMF, in-band detection, jitter buffer (RFC 3550, RFC 3551, RFC 4733).
export * from './digits.ts';
export * from './dtmf.ts';
export * from './errors.ts';
export * from './goertzel.ts';
export * from './jitter.ts';
export * from './ntp.ts';
export * from './packet.ts';
export * from './profile.ts';
export * from './rtcp.ts';
export * from './seq.ts';
export * from './stats.ts';
export * from './stream.ts';
