// SDP parsing with validation (RFC 4566 §5) on top of sdp-transform, into the typed model of model.ts.
import { isIP } from 'node:net';
import { parse as transformParse } from 'sdp-transform';
import type { MediaDescription as TransformMedia } from 'sdp-transform';
import { SdpError } from './errors.ts';
import type {
  AddressType,
  Connection,
  Direction,
  MediaDescription,
  Origin,
  RtpPayload,
  SessionDescription,
} from './model.ts';
import { STATIC_PAYLOAD_TYPES, isRtpProtocol } from './model.ts';

/** Options of {@link parseSdp}. */
export interface ParseSdpOptions {
  /** Largest body accepted, in characters (hostile input is bounded before it is split). */
  maxLength: number;
}

/** Defaults of {@link ParseSdpOptions}. */
export const PARSE_SDP_DEFAULTS: Readonly<ParseSdpOptions> = Object.freeze({ maxLength: 64 * 1024 });

interface Line {
  readonly type: string;
  readonly value: string;
  /** 1-based. */
  readonly number: number;
}

interface MediaSkeleton {
  readonly line: Line;
  readonly type: string;
  readonly port: number;
  readonly portCount: number;
  readonly protocol: string;
  readonly formats: string[];
  connection: Connection | null;
}

const HOST_NAME = /^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/**
 * Parses an SDP body and checks what the engine relies on: `v=0` first, one well-formed `o=`, an `s=`
 * and a `t=` at session level (RFC 4566 §5), well-formed `c=` and `m=` lines, ports in 0..65535, RTP
 * payload types in 0..127, at least one m-line, and a connection address for every stream whose port
 * is not 0. Attributes it does not understand are ignored (RFC 4566 §5.13); malformed `a=ptime` or
 * `a=rtpmap` values are ignored the same way (the stream then lacks that information).
 * LF-only line ends are accepted (RFC 4566 §5).
 *
 * @throws {SdpError} with the code naming the fault (`missing-origin`, `bad-port`, `missing-connection`…).
 */
export function parseSdp(input: string | Uint8Array, options: Partial<ParseSdpOptions> = {}): SessionDescription {
  const opts = { ...PARSE_SDP_DEFAULTS, ...options };
  if (input.length > opts.maxLength) {
    throw new SdpError('too-large', `SDP body of ${input.length} bytes exceeds ${opts.maxLength}`);
  }
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.length).toString('utf8');
  const lines = splitLines(text);
  if (lines.length === 0) throw new SdpError('empty', 'SDP body is empty');

  const first = lines[0];
  if (first.type !== 'v') throw new SdpError('missing-version', 'SDP must start with v= (RFC 4566 §5.1)', { line: first.number });
  if (first.value.trim() !== '0') {
    throw new SdpError('bad-version', `unsupported SDP version "${first.value}"`, { line: first.number });
  }

  let origin: Origin | null = null;
  let name: string | null = null;
  let timing: { start: number; stop: number } | null = null;
  let sessionConnection: Connection | null = null;
  const media: MediaSkeleton[] = [];

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const current = media.length > 0 ? media[media.length - 1] : null;
    switch (line.type) {
      case 'v':
        throw new SdpError('bad-version', 'a second v= line', { line: line.number });
      case 'o':
        if (current !== null || origin !== null) throw new SdpError('bad-origin', 'o= must appear once, at session level', { line: line.number });
        origin = parseOrigin(line);
        break;
      case 's':
        if (current === null && name === null) name = line.value;
        break;
      case 't':
        if (current !== null) throw new SdpError('bad-timing', 't= is a session-level line', { line: line.number });
        if (timing === null) timing = parseTiming(line);
        else parseTiming(line);
        break;
      case 'c': {
        const c = parseConnection(line, current === null ? undefined : media.length - 1);
        if (current === null) sessionConnection = c;
        else current.connection = c;
        break;
      }
      case 'm':
        media.push(parseMediaLine(line, media.length));
        break;
      default:
        break;
    }
  }

  if (origin === null) throw new SdpError('missing-origin', 'no o= line (RFC 4566 §5.2)');
  if (name === null) throw new SdpError('missing-session-name', 'no s= line (RFC 4566 §5.3)');
  if (timing === null) throw new SdpError('missing-timing', 'no t= line (RFC 4566 §5.9)');
  if (media.length === 0) throw new SdpError('missing-media', 'no m= line: nothing to negotiate');

  // sdp-transform reads the attributes. It creates one media entry per m= line, in order, like the
  // pass above (both keep only `x=` lines), so indexes correspond.
  const transformed = transformParse(lines.map((l) => `${l.type}=${l.value}`).join('\r\n'));
  if (transformed.media.length !== media.length) {
    throw new SdpError('bad-media', 'could not align media sections');
  }

  const sessionDirection = readDirection(transformed.direction);
  const out: MediaDescription[] = media.map((m, index) => {
    const connection = m.connection ?? sessionConnection;
    if (m.port !== 0 && connection === null) {
      throw new SdpError('missing-connection', `m-line ${index} (${m.type} ${m.port}) has no c= at media or session level (RFC 4566 §5.7)`, {
        line: m.line.number,
        mediaIndex: index,
      });
    }
    const attrs = transformed.media[index];
    return {
      type: m.type,
      port: m.port,
      portCount: m.portCount,
      protocol: m.protocol,
      formats: m.formats,
      payloads: isRtpProtocol(m.protocol) ? buildPayloads(m.formats, attrs) : [],
      connection,
      direction: readDirection(attrs.direction) ?? sessionDirection ?? 'sendrecv',
      ptime: positiveNumber(attrs.ptime),
      maxptime: positiveNumber(attrs.maxptime),
      rtcp: readRtcp(attrs.rtcp),
    };
  });

  return { origin, name, connection: sessionConnection, timing, direction: sessionDirection, media: out };
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const raw = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i].replace(/[ \t]+$/, '');
    if (l === '') continue;
    if (!/^[a-z]=/.test(l)) {
      throw new SdpError('bad-line', `line ${i + 1} is not <type>=<value> (RFC 4566 §5)`, { line: i + 1 });
    }
    out.push({ type: l[0], value: l.slice(2), number: i + 1 });
  }
  return out;
}

function parseAddressType(text: string): AddressType | null {
  return text === 'IP4' || text === 'IP6' ? text : null;
}

function parseOrigin(line: Line): Origin {
  const f = line.value.split(/ +/);
  const bad = (why: string): SdpError => new SdpError('bad-origin', `o= ${why} (RFC 4566 §5.2)`, { line: line.number });
  if (f.length !== 6) throw bad('needs six fields');
  const [username, sessionId, version, netType, addrType, address] = f;
  if (username === '') throw bad('has an empty username');
  if (!/^\d{1,20}$/.test(sessionId)) throw bad('session id is not numeric');
  if (!/^\d{1,20}$/.test(version)) throw bad('session version is not numeric');
  if (netType !== 'IN') throw bad(`network type ${netType} is not IN`);
  const addressType = parseAddressType(addrType);
  if (addressType === null) throw bad(`address type ${addrType} is not IP4 or IP6`);
  if (address === '') throw bad('has no address');
  return { username, sessionId, sessionVersion: BigInt(version), addressType, address };
}

function parseTiming(line: Line): { start: number; stop: number } {
  const m = /^(\d{1,15}) +(\d{1,15})$/.exec(line.value.trim());
  if (!m) throw new SdpError('bad-timing', `t= "${line.value}" is not two decimal times (RFC 4566 §5.9)`, { line: line.number });
  return { start: Number(m[1]), stop: Number(m[2]) };
}

function parseConnection(line: Line, mediaIndex: number | undefined): Connection {
  const bad = (why: string): SdpError =>
    new SdpError('bad-connection', `c= "${line.value}" ${why} (RFC 4566 §5.7)`, { line: line.number, mediaIndex });
  const f = line.value.trim().split(/ +/);
  if (f.length !== 3) throw bad('needs three fields');
  if (f[0] !== 'IN') throw bad('network type is not IN');
  const addressType = parseAddressType(f[1]);
  if (addressType === null) throw bad('address type is not IP4 or IP6');
  // Multicast: `224.2.1.1/127/3` — keep the address only.
  const address = f[2].split('/')[0];
  const family = isIP(address);
  if (family === 0) {
    if (!HOST_NAME.test(address)) throw bad('has no valid address');
  } else if ((family === 4) !== (addressType === 'IP4')) {
    throw bad(`address does not match ${addressType}`);
  }
  return { addressType, address };
}

function parseMediaLine(line: Line, index: number): MediaSkeleton {
  const f = line.value.trim().split(/ +/);
  const at = { line: line.number, mediaIndex: index };
  if (f.length < 4) throw new SdpError('bad-media', `m= "${line.value}" needs media, port, protocol and formats (RFC 4566 §5.14)`, at);
  const [type, portText, protocol, ...formats] = f;
  if (!/^[A-Za-z0-9_.-]+$/.test(type)) throw new SdpError('bad-media', `m= media type "${type}" is invalid`, at);
  const pm = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(portText);
  if (!pm) throw new SdpError('bad-port', `m= port "${portText}" is not a number`, at);
  const port = Number(pm[1]);
  const portCount = pm[2] === undefined ? 1 : Number(pm[2]);
  if (port > 65535) throw new SdpError('bad-port', `m= port ${port} is above 65535`, at);
  if (portCount < 1) throw new SdpError('bad-port', 'm= port count must be at least 1', at);
  if (!/^[A-Za-z0-9/_.-]+$/.test(protocol)) throw new SdpError('bad-media', `m= protocol "${protocol}" is invalid`, at);
  if (isRtpProtocol(protocol)) {
    for (const fmt of formats) {
      if (!/^\d{1,3}$/.test(fmt) || Number(fmt) > 127) {
        throw new SdpError('bad-payload-type', `m= format "${fmt}" is not an RTP payload type 0..127 (RFC 3551 §3)`, at);
      }
    }
  }
  return { line, type, port, portCount, protocol, formats, connection: null };
}

function buildPayloads(formats: readonly string[], attrs: TransformMedia): RtpPayload[] {
  return formats.map((fmt) => {
    const pt = Number(fmt);
    const map = attrs.rtp.find((r) => r.payload === pt);
    const fmtp = attrs.fmtp.find((f) => f.payload === pt);
    const config = fmtp === undefined ? null : String(fmtp.config).trim();
    // sdp-transform turns numeric-looking values into numbers (an encoding named `1016` exists).
    const encoding = map === undefined || map.codec === undefined ? '' : String(map.codec);
    if (map !== undefined && encoding !== '' && positiveNumber(map.rate) !== null) {
      const channels = positiveNumber(map.encoding);
      return { payloadType: pt, encoding, clockRate: Number(map.rate), channels: channels ?? 1, fmtp: config };
    }
    const known = STATIC_PAYLOAD_TYPES.get(pt);
    if (known !== undefined && pt < 96) return { payloadType: pt, ...known, fmtp: config };
    return { payloadType: pt, encoding: '', clockRate: 0, channels: 1, fmtp: config };
  });
}

function readDirection(value: unknown): Direction | null {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive' ? value : null;
}

function positiveNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

function readRtcp(rtcp: TransformMedia['rtcp']): MediaDescription['rtcp'] {
  if (rtcp === undefined) return null;
  const port = Number(rtcp.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  let connection: Connection | null = null;
  if (rtcp.address !== undefined && (rtcp.ipVer === 4 || rtcp.ipVer === 6)) {
    const addressType: AddressType = rtcp.ipVer === 4 ? 'IP4' : 'IP6';
    const address = String(rtcp.address);
    const family = isIP(address);
    if (family === 0 ? HOST_NAME.test(address) : (family === 4) === (addressType === 'IP4')) connection = { addressType, address };
  }
  return { port, connection };
}
