// SDP serialization of the typed model (RFC 4566 §5, field order of §5) through sdp-transform.
import { write as transformWrite } from 'sdp-transform';
import type { MediaDescription as TransformMedia, SessionDescription as TransformSession } from 'sdp-transform';
import type { Connection, MediaDescription, SessionDescription } from './model.ts';

function transformConnection(c: Connection | null): { version: number; ip: string } | undefined {
  return c === null ? undefined : { version: c.addressType === 'IP4' ? 4 : 6, ip: c.address };
}

function transformMedia(m: MediaDescription, session: SessionDescription): TransformMedia {
  const out: TransformMedia = {
    type: m.type,
    port: m.port,
    protocol: m.protocol,
    payloads: m.formats.join(' '),
    rtp: [],
    fmtp: [],
  };
  // Write a media-level c= only when it differs from the session-level one.
  const sc = session.connection;
  const mc = m.connection;
  if (mc !== null && (sc === null || sc.address !== mc.address || sc.addressType !== mc.addressType)) {
    out.connection = transformConnection(mc);
  }
  for (const p of m.payloads) {
    if (p.encoding === '') continue;
    out.rtp.push(p.channels > 1 ? { payload: p.payloadType, codec: p.encoding, rate: p.clockRate, encoding: p.channels } : { payload: p.payloadType, codec: p.encoding, rate: p.clockRate });
    if (p.fmtp !== null) out.fmtp.push({ payload: p.payloadType, config: p.fmtp });
  }
  if (m.ptime !== null) out.ptime = m.ptime;
  if (m.maxptime !== null) out.maxptime = m.maxptime;
  if (m.rtcp !== null) {
    out.rtcp = m.rtcp.connection === null
      ? { port: m.rtcp.port }
      : { port: m.rtcp.port, netType: 'IN', ipVer: m.rtcp.connection.addressType === 'IP4' ? 4 : 6, address: m.rtcp.connection.address };
  }
  // A rejected stream carries no direction; otherwise always say it, even when it is the default.
  if (m.port !== 0) out.direction = m.direction;
  return out;
}

/**
 * Writes a session description as SDP text with CRLF line ends, lines in RFC 4566 §5 order.
 * `a=rtpmap` is written for every payload with a known encoding, static ones included (RFC 3264 §5.1
 * recommends it). Media-level `c=` is written only where it differs from the session-level one.
 */
export function writeSdp(desc: SessionDescription): string {
  const o = desc.origin;
  const session: TransformSession = {
    version: 0,
    // The o= line is written below: sdp-transform formats the version with %d, which would round
    // versions beyond 2^53.
    origin: { username: o.username, sessionId: o.sessionId, sessionVersion: 0, netType: 'IN', ipVer: o.addressType === 'IP4' ? 4 : 6, address: o.address },
    name: desc.name === '' ? '-' : desc.name,
    timing: { start: desc.timing.start, stop: desc.timing.stop },
    media: desc.media.map((m) => transformMedia(m, desc)),
  };
  const sc = transformConnection(desc.connection);
  if (sc !== undefined) session.connection = sc;
  if (desc.direction !== null) session.direction = desc.direction;
  const text = transformWrite(session);
  const originLine = `o=${o.username} ${o.sessionId} ${o.sessionVersion.toString()} IN ${o.addressType} ${o.address}`;
  return text.replace(/^o=.*$/m, () => originLine);
}

