// The SIP transport layer: parsing what the sockets deliver, stamping received/rport on requests, and routing
// responses back by Via (RFC 3261 §18.1, §18.2; RFC 3581 §4). Knows sockets and messages, not transactions.
import net from 'node:net';
import type { SipMessage, SipRequest, SipResponse, StreamEvent } from '../message/index.ts';
import { SipParseError, StreamFramer, Via, createResponse, parseMessage } from '../message/index.ts';
import type { Endpoint, TransportProto } from './sockets.ts';
import { SocketTransport, TransportError, normalizeAddress } from './sockets.ts';

export interface SipTransportOptions {
  /** Address to bind (IPv4 or IPv6 literal). */
  host: string;
  /** Port (0 = any free port). */
  port: number;
  /** Listen on TCP too. */
  tcp: boolean;
  /** Largest accepted message (RFC 3261 §18.1.1 size limits; 513 beyond it). */
  maxMessageSize: number;
  /** A request longer than this goes over TCP instead of UDP (RFC 3261 §18.1.1: MTU − 200). */
  udpSizeLimit: number;
  /** Host (and port) to put in Via sent-by and Contact when bound to a wildcard address. */
  advertiseHost?: string;
  tcpIdleMs: number;
}

export const SIP_TRANSPORT_DEFAULTS: Readonly<SipTransportOptions> = Object.freeze({
  host: '0.0.0.0',
  port: 5060,
  tcp: true,
  maxMessageSize: 64 * 1024,
  udpSizeLimit: 1300,
  tcpIdleMs: 120_000,
});

export interface SipTransportEvents {
  /** A well-framed message arrived (a request carries received/rport in its top Via). */
  onMessage(msg: SipMessage, source: Endpoint): void;
  /** Something was dropped or answered statelessly (for logs and counters). */
  onDrop?(reason: string, source: Endpoint, err?: unknown): void;
}

/** Counters kept by the transport layer. */
export interface SipTransportStats {
  received: number;
  sent: number;
  parseErrors: number;
  statelessReplies: number;
}

/** Where a response goes, per RFC 3261 §18.2.2 and RFC 3581 §4, from its top Via and how the request came. */
export function responseDestination(via: Via, source: Endpoint | undefined): Endpoint {
  const transport: TransportProto = via.transport === 'TCP' || via.transport === 'TLS' ? 'tcp' : 'udp';
  // Reliable: the connection the request came on (§18.2.2, first bullet).
  if (source && source.transport === 'tcp') return source;
  const host = stripBrackets(via.maddr ?? via.received ?? via.host);
  const rport = via.rport;
  if (typeof rport === 'number' && via.received !== undefined) return { transport, address: host, port: rport };
  if (source && typeof rport === 'number') return { transport, address: source.address, port: rport };
  return { transport, address: host, port: via.port ?? 5060 };
}

function stripBrackets(h: string): string {
  return h.charCodeAt(0) === 91 ? h.slice(1, -1) : h;
}

/**
 * Parses inbound bytes into messages and sends messages out over UDP or TCP. Requests get `received` (and
 * `rport`, when asked for) on their top Via (§18.2.1, RFC 3581 §4); unparseable requests are answered
 * statelessly when a response can be built, otherwise dropped; bad responses are dropped.
 */
export class SipTransportLayer {
  readonly options: Readonly<SipTransportOptions>;
  readonly stats: SipTransportStats = { received: 0, sent: 0, parseErrors: 0, statelessReplies: 0 };
  #events: SipTransportEvents;
  #sockets: SocketTransport<StreamEvent>;

  constructor(options: Partial<SipTransportOptions>, events: SipTransportEvents) {
    this.options = Object.freeze({ ...SIP_TRANSPORT_DEFAULTS, ...options });
    this.#events = events;
    this.#sockets = new SocketTransport<StreamEvent>(
      {
        host: this.options.host,
        port: this.options.port,
        tcp: this.options.tcp,
        tcpIdleMs: this.options.tcpIdleMs,
        createFramer: () => {
          const framer = new StreamFramer({ maxSize: this.options.maxMessageSize });
          return { push: (chunk: Buffer) => framer.push(chunk) };
        },
      },
      {
        onData: (data, remote) => this.#onDatagram(data, remote),
        onFrame: (ev, remote) => this.#onStreamEvent(ev, remote),
        onError: (err, remote) => this.#events.onDrop?.(err.code, remote ?? { transport: 'udp', address: '', port: 0 }, err),
      },
    );
  }

  async listen(): Promise<void> {
    await this.#sockets.listen();
  }

  get port(): number {
    return this.#sockets.port;
  }

  /** The host written into Via sent-by and Contact. */
  get host(): string {
    if (this.options.advertiseHost) return this.options.advertiseHost;
    const h = this.options.host;
    if (h === '0.0.0.0') return '127.0.0.1';
    if (h === '::') return '::1';
    return h;
  }

  /** `host:port` for Via sent-by (IPv6 in brackets, RFC 5118 §4.5). */
  get sentBy(): string {
    const h = this.host;
    return `${net.isIPv6(h) ? `[${h}]` : h}:${this.port}`;
  }

  /** Transport a request to `dest` will use: UDP unless the message is too large (§18.1.1). */
  transportFor(msgLength: number, dest: Endpoint): TransportProto {
    if (dest.transport === 'udp' && msgLength > this.options.udpSizeLimit && this.options.tcp) return 'tcp';
    return dest.transport;
  }

  /** A fresh top Via for a request we send (sent-by = our address, the given branch). */
  makeVia(transport: TransportProto, branch: string): Via {
    return new Via({ transport: transport.toUpperCase(), host: this.sentBy.slice(0, this.sentBy.lastIndexOf(':')), port: this.port, branch, params: [['rport', null]] });
  }

  /** Sends a request; a request over the UDP size limit switches to TCP and its Via says so (§18.1.1). */
  async sendRequest(req: SipRequest, dest: Endpoint): Promise<Endpoint> {
    let bytes = req.serialize();
    let to = dest;
    if (this.transportFor(bytes.length, dest) === 'tcp' && dest.transport === 'udp') {
      to = { ...dest, transport: 'tcp' };
      const via = req.topVia().clone();
      via.transport = 'TCP';
      req.removeFirst('Via');
      req.prepend('Via', via.toString());
      bytes = req.serialize();
    }
    await this.#send(bytes, to);
    return to;
  }

  /** Sends a response to where its top Via says (§18.2.2), or on the connection the request came on. */
  async sendResponse(res: SipResponse, source?: Endpoint): Promise<void> {
    const dest = responseDestination(res.topVia(), source);
    await this.#send(res.serialize(), dest);
  }

  /** Sends raw bytes (used by retransmissions that already hold their bytes). */
  async sendBytes(bytes: Buffer, dest: Endpoint): Promise<void> {
    await this.#send(bytes, dest);
  }

  async #send(bytes: Buffer, dest: Endpoint): Promise<void> {
    this.stats.sent++;
    if (dest.transport === 'udp') this.#sockets.sendUdp(bytes, dest.port, dest.address);
    else await this.#sockets.send(bytes, dest);
  }

  #onDatagram(data: Buffer, remote: Endpoint): void {
    // RFC 5626 §4.4.1: a lone CRLF (or CRLFCRLF) datagram is a keep-alive; ignore.
    if (data.length <= 4 && data.every((b) => b === 13 || b === 10)) return;
    let msg: SipMessage;
    try {
      msg = parseMessage(data, { maxSize: this.options.maxMessageSize });
    } catch (err) {
      this.#parseFailed(err, remote);
      return;
    }
    this.#deliver(msg, remote);
  }

  #onStreamEvent(ev: StreamEvent, remote: Endpoint): void {
    if (ev.kind === 'ping') {
      // RFC 5626 §3.5.1: answer a CRLFCRLF ping with a single CRLF pong.
      this.#sockets.send(Buffer.from('\r\n'), remote).catch(() => undefined);
      return;
    }
    if (ev.kind === 'message') this.#deliver(ev.message, remote);
  }

  #deliver(msg: SipMessage, source: Endpoint): void {
    this.stats.received++;
    if (msg.isRequest) {
      let via: Via;
      try {
        via = msg.topVia();
      } catch (err) {
        this.#events.onDrop?.('request without a usable Via', source, err);
        return;
      }
      stampVia(msg, via, source);
    }
    this.#events.onMessage(msg, source);
  }

  #parseFailed(err: unknown, source: Endpoint): void {
    this.stats.parseErrors++;
    if (err instanceof SipParseError && err.partial?.isRequest && err.status !== undefined && err.partial.method !== 'ACK') {
      try {
        const req = err.partial;
        stampVia(req, req.topVia(), source);
        const res = createResponse(req, err.status, err.status === 400 ? err.message.slice(0, 120) : undefined);
        this.stats.statelessReplies++;
        this.sendResponse(res, source).catch(() => undefined);
        this.#events.onDrop?.(`answered ${err.status}: ${err.message}`, source, err);
        return;
      } catch {
        // fall through: cannot build a response
      }
    }
    this.#events.onDrop?.(`unparseable: ${err instanceof Error ? err.message : String(err)}`, source, err);
  }

  async close(): Promise<void> {
    await this.#sockets.close();
  }
}

/** RFC 3261 §18.2.1 and RFC 3581 §4: note the source address (and port when asked) in the top Via. */
export function stampVia(msg: SipRequest, via: Via, source: Endpoint): void {
  const addr = normalizeAddress(source.address);
  const sentHost = stripBrackets(via.host);
  const wantsRport = via.rport === null;
  if (sentHost === addr && !wantsRport) return;
  const v = via.clone();
  v.params.set('received', addr);
  if (wantsRport) v.params.set('rport', String(source.port));
  msg.removeFirst('Via');
  msg.prepend('Via', v.toString());
}

export { TransportError };
export type { Endpoint, TransportProto };
