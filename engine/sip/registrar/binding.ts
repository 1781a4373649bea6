// Registration bindings: the record a registrar keeps per contact, canonical address-of-record, and the NAT rule that picks where to send (RFC 3261 §10.3 steps 5 and 7, §19.1.4; RFC 3581; RFC 5626 §4.2 flows, §5.1 instance-id / reg-id).
import { isIpv4, isIpv6, SipUri, tryParseUri, type Uri } from '../message/index.ts';
import type { Endpoint } from '../transport/sockets.ts';

/** Where a request came from: the transport flow it arrived on (RFC 5626 §3.2 "flow"). */
export interface RequestSource extends Endpoint {
  /**
   * Opaque identifier of the local socket or connection that received it (chosen by the transport layer),
   * so that requests to the binding go out through the same flow. Optional.
   */
  localSocket?: string;
}

/** Result of one keepalive probe of a binding. */
export interface KeepaliveRecord {
  ok: boolean;
  /** Round-trip time of the probe in ms, when it succeeded. */
  rttMs: number | undefined;
  /** When the probe finished (epoch ms). */
  at: number;
}

/**
 * One binding of an address-of-record to a contact (RFC 3261 §10.3). Immutable: the registrar replaces
 * a binding with an updated copy. Times are epoch milliseconds.
 */
export interface Binding {
  /** Canonical address-of-record, `sip:user@host` (see {@link canonicalAor}). */
  readonly aor: string;
  /** The Contact URI as registered (canonical text, header parameters stripped). */
  readonly contact: string;
  /** When the binding expires (epoch ms). */
  readonly expiresAt: number;
  /** The Contact's `q` preference 0…1, `undefined` when absent (sorted as 1.0). */
  readonly q: number | undefined;
  /** Call-ID of the REGISTER that last wrote the binding (RFC 3261 §10.3 step 7). */
  readonly callId: string;
  /** CSeq number of the REGISTER that last wrote the binding. */
  readonly cseq: number;
  /** The flow the REGISTER came from: send requests for this binding here (RFC 3581, RFC 5626 §5.3). */
  readonly source: Endpoint;
  /** The transport layer's id of the local socket/connection the REGISTER arrived on. */
  readonly localSocket: string | undefined;
  /** User-Agent of the REGISTER. */
  readonly userAgent: string | undefined;
  /** When the binding was first created (epoch ms); kept across refreshes. */
  readonly registeredAt: number;
  /** When a REGISTER last wrote the binding (epoch ms). */
  readonly updatedAt: number;
  /** The Contact's `+sip.instance` (RFC 5626 §4.1), unquoted, if any. */
  readonly instanceId: string | undefined;
  /** The Contact's `reg-id` (RFC 5626 §4.2), if any. */
  readonly regId: number | undefined;
  /** The digest username that registered it; `undefined` when authentication is off. */
  readonly authUser: string | undefined;
  /** True when the Contact address differs from the source address: the device is behind a NAT. */
  readonly nat: boolean;
  /** False after repeated failed keepalives; true again on a successful one or a new REGISTER. */
  readonly reachable: boolean;
  /** Consecutive failed keepalives (0 after any success or REGISTER). */
  readonly keepaliveFailures: number;
  /** The latest keepalive result, if any probe ran. */
  readonly lastKeepalive: KeepaliveRecord | undefined;
}

/** A place to send a request for an address-of-record, from {@link Registrar.lookup}. */
export interface LookupTarget {
  binding: Binding;
  /** The Request-URI to use: the registered Contact URI. */
  requestUri: string;
  /**
   * Where to send: always the flow the REGISTER came from (RFC 5626 §5.3, RFC 3581 symmetric response
   * routing). A Contact behind a NAT (a private address, or simply not the address we saw) is not
   * reachable directly, while the NAT keeps the flow the device opened to us open (keepalives refresh it).
   */
  destination: Endpoint;
  /** The local socket/connection to send from (see {@link RequestSource.localSocket}). */
  localSocket: string | undefined;
  /**
   * The Contact's own address, only when it is a public IP literal over UDP/TCP that differs from
   * `destination`: a fallback if the flow is gone (a closed TCP connection).
   */
  contactAddress: Endpoint | undefined;
}

/**
 * The canonical address-of-record of a SIP URI (RFC 3261 §10.3 step 5): scheme `sip:`, the unescaped user
 * (re-escaped canonically), the host lower-cased, no port, no parameters, no headers. `sips:` AORs map to
 * the same `sip:` AOR (one location-service entry per user; the transport security of each binding is
 * its own business).
 */
export function canonicalAor(uri: SipUri): string {
  return new SipUri({ scheme: 'sip', user: uri.user, host: uri.host.toLowerCase() }).toString();
}

/**
 * Canonical AOR from a URI or text (`sip:`/`sips:` URI), or `undefined` when the input is not a SIP URI
 * with a user part.
 */
export function toAor(aor: string | Uri): string | undefined {
  const uri = typeof aor === 'string' ? tryParseUri(aor) : aor;
  if (!(uri instanceof SipUri) || uri.user === undefined || uri.user.length === 0) return undefined;
  return canonicalAor(uri);
}

/** The host of a URI host part without IPv6 brackets, lower-cased. */
export function bareHost(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h.toLowerCase();
}

/** Strips the IPv4-mapped IPv6 prefix (`::ffff:192.0.2.1` → `192.0.2.1`) and lower-cases. */
export function normalizeIp(address: string): string {
  const a = bareHost(address);
  return a.startsWith('::ffff:') && isIpv4(a.slice(7)) ? a.slice(7) : a;
}

/**
 * True for addresses a device behind a NAT typically puts in its Contact and that we cannot reach
 * directly: RFC 1918 private ranges, RFC 6598 shared (CGN) space 100.64/10, link-local 169.254/16 and
 * fe80::/10, loopback, unspecified, IPv6 unique-local fc00::/7. Host names return false.
 */
export function isPrivateAddress(address: string): boolean {
  const a = normalizeIp(address);
  if (isIpv4(a)) {
    const [o1, o2] = a.split('.').map(Number);
    return (
      o1 === 10 ||
      o1 === 127 ||
      o1 === 0 ||
      (o1 === 172 && o2 >= 16 && o2 <= 31) ||
      (o1 === 192 && o2 === 168) ||
      (o1 === 100 && o2 >= 64 && o2 <= 127) ||
      (o1 === 169 && o2 === 254)
    );
  }
  if (isIpv6(a)) {
    if (a === '::1' || a === '::') return true;
    const first = Number.parseInt(a.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}

/** True when `host` (a URI host, maybe bracketed) is an IPv4 or IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  const h = bareHost(host);
  return isIpv4(h) || isIpv6(h);
}

/**
 * Whether a Contact is "behind NAT" relative to the flow its REGISTER came on: true when its host is an
 * IP literal other than the source address (typically a private address), or (over UDP) it names another
 * port than the source port. A host name is taken at its word unless the port differs over UDP; over TCP
 * the source port is ephemeral and not compared.
 */
export function contactIsNatted(contact: SipUri, source: Endpoint): boolean {
  const host = bareHost(contact.host);
  if (isIpLiteral(host)) {
    if (normalizeIp(host) !== normalizeIp(source.address)) return true;
  }
  if (source.transport === 'udp') {
    const port = contact.port ?? (contact.scheme === 'sips' ? 5061 : 5060);
    if (port !== source.port) return true;
  }
  return false;
}

/** The Contact's own transport address when it is a public IP literal over UDP or TCP; otherwise undefined. */
export function contactEndpoint(contact: SipUri): Endpoint | undefined {
  if (contact.scheme !== 'sip' || !isIpLiteral(contact.host) || isPrivateAddress(contact.host)) return undefined;
  const t = contact.transport ?? 'udp';
  if (t !== 'udp' && t !== 'tcp') return undefined;
  return { transport: t, address: normalizeIp(contact.host), port: contact.port ?? 5060 };
}

/**
 * Lookup order (RFC 3261 §16.6 step 1 q-values): reachable bindings first, then higher `q` (absent = 1.0),
 * then the most recently refreshed.
 */
export function compareForLookup(a: Binding, b: Binding): number {
  if (a.reachable !== b.reachable) return a.reachable ? -1 : 1;
  const qa = a.q ?? 1;
  const qb = b.q ?? 1;
  if (qa !== qb) return qb - qa;
  return b.updatedAt - a.updatedAt;
}

/** The lookup target of a binding (see {@link LookupTarget}). */
export function targetOf(binding: Binding, contact: SipUri | undefined): LookupTarget {
  const alt = contact === undefined ? undefined : contactEndpoint(contact);
  const dest = binding.source;
  const differs =
    alt !== undefined && (alt.transport !== dest.transport || alt.address !== normalizeIp(dest.address) || alt.port !== dest.port);
  return {
    binding,
    requestUri: binding.contact,
    destination: dest,
    localSocket: binding.localSocket,
    contactAddress: differs ? alt : undefined,
  };
}
