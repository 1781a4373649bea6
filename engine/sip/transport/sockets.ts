// SIP transports on real sockets: UDP (one datagram = one message, RFC 3261 §18.3) and TCP (stream framing,
// connection reuse, idle close; RFC 3261 §18.1, §18.3). Deals in bytes; parsing happens one layer up.
import dgram from 'node:dgram';
import net from 'node:net';

export type TransportProto = 'udp' | 'tcp';

/** A transport-level address: where a message came from or goes to. */
export interface Endpoint {
  transport: TransportProto;
  address: string;
  port: number;
}

/** Splits a byte stream into frames (the message layer's StreamFramer yields parsed messages and pings). */
export interface Framer<F> {
  /** Feeds a chunk; returns the complete frames it finished. Throws when the stream cannot be framed. */
  push(chunk: Buffer): F[];
}

export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}

export interface SocketTransportOptions<F> {
  /** Address to bind (IPv4 or IPv6 literal). */
  host: string;
  /** Port to bind; 0 picks a free one (the same one for UDP and TCP when possible). */
  port: number;
  /** Also listen on TCP. */
  tcp: boolean;
  /** A TCP connection with no traffic for this long is closed. */
  tcpIdleMs: number;
  /** Bound on concurrent TCP connections (a per-source table stays bounded). */
  maxTcpConnections: number;
  /** Connect timeout for outgoing TCP. */
  tcpConnectTimeoutMs: number;
  /** Creates a framer for each TCP connection. */
  createFramer: () => Framer<F>;
}

export const SOCKET_TRANSPORT_DEFAULTS: Readonly<Omit<SocketTransportOptions<unknown>, 'createFramer'>> = Object.freeze({
  host: '0.0.0.0',
  port: 5060,
  tcp: true,
  tcpIdleMs: 120_000,
  maxTcpConnections: 10_000,
  tcpConnectTimeoutMs: 5_000,
});

export interface TransportEvents<F> {
  /** A UDP datagram arrived (one datagram = one message). */
  onData(data: Buffer, remote: Endpoint): void;
  /** A TCP stream produced a frame. */
  onFrame(frame: F, remote: Endpoint): void;
  /** A TCP stream could not be framed (it is closed); logged by the owner. */
  onError?(err: TransportError, remote?: Endpoint): void;
}

const key = (address: string, port: number): string => `${address}|${port}`;

interface Connection<F> {
  socket: net.Socket;
  framer: Framer<F>;
  remote: Endpoint;
  idle: NodeJS.Timeout | undefined;
  ready: Promise<void>;
}

/**
 * UDP and TCP sockets on one host:port. `send()` goes over UDP, or over a TCP connection (reused when one
 * exists to that address, opened otherwise).
 */
export class SocketTransport<F> {
  readonly options: Readonly<SocketTransportOptions<F>>;
  #events: TransportEvents<F>;
  #udp: dgram.Socket | undefined;
  #tcp: net.Server | undefined;
  #conns = new Map<string, Connection<F>>();
  #closed = false;
  #port = 0;

  constructor(options: Partial<SocketTransportOptions<F>> & Pick<SocketTransportOptions<F>, 'createFramer'>, events: TransportEvents<F>) {
    this.options = Object.freeze({ ...SOCKET_TRANSPORT_DEFAULTS, ...options });
    this.#events = events;
  }

  /** The bound address family. */
  get family(): 'IPv4' | 'IPv6' {
    return net.isIPv6(this.options.host) ? 'IPv6' : 'IPv4';
  }

  /** The bound port (after `listen()`). */
  get port(): number {
    return this.#port;
  }

  get host(): string {
    return this.options.host;
  }

  /** Binds UDP (and TCP) sockets. @throws TransportError when the address is in use. */
  async listen(): Promise<void> {
    const type = this.family === 'IPv6' ? 'udp6' : 'udp4';
    const udp = dgram.createSocket({ type, reuseAddr: false, ipv6Only: type === 'udp6' });
    udp.on('message', (msg, rinfo) => {
      this.#events.onData(msg, { transport: 'udp', address: rinfo.address, port: rinfo.port });
    });
    udp.on('error', (err) => this.#events.onError?.(new TransportError('udp', err.message, { cause: err })));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.options.port, this.options.host, () => {
        udp.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      udp.close();
      throw new TransportError('bind', `cannot bind UDP ${this.options.host}:${this.options.port}: ${String(err)}`, { cause: err });
    });
    try {
      udp.setRecvBufferSize(4 * 1024 * 1024);
      udp.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      // Kernel limits may refuse larger buffers; the defaults still work.
    }
    this.#udp = udp;
    this.#port = udp.address().port;
    if (this.options.tcp) {
      const server = net.createServer((socket) => this.#adopt(socket));
      server.maxConnections = this.options.maxTcpConnections;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.options.host, port: this.#port, ipv6Only: this.family === 'IPv6' }, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((err: unknown) => {
        throw new TransportError('bind', `cannot bind TCP ${this.options.host}:${this.#port}: ${String(err)}`, { cause: err });
      });
      this.#tcp = server;
    }
  }

  /** Sends bytes to a remote endpoint over its transport. @throws TransportError when closed or on TCP failure. */
  async send(data: Buffer, to: Endpoint): Promise<void> {
    if (this.#closed) throw new TransportError('closed', 'transport is closed');
    if (to.transport === 'udp') {
      this.sendUdp(data, to.port, to.address);
      return;
    }
    const conn = this.#conns.get(key(to.address, to.port)) ?? this.#connect(to);
    await conn.ready;
    this.#touch(conn);
    await new Promise<void>((resolve, reject) => {
      conn.socket.write(data, (err) => (err ? reject(new TransportError('tcp-write', err.message, { cause: err })) : resolve()));
    });
  }

  /** Fire-and-forget UDP send (the hot path for retransmissions and responses). */
  sendUdp(data: Buffer, port: number, address: string): void {
    if (!this.#udp || this.#closed) return;
    this.#udp.send(data, port, address, (err) => {
      if (err) this.#events.onError?.(new TransportError('udp-send', err.message, { cause: err }), { transport: 'udp', address, port });
    });
  }

  /** True when a TCP connection to that address is open (responses on a stream go back on it, §18.2.2). */
  hasConnection(address: string, port: number): boolean {
    return this.#conns.has(key(address, port));
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  #connect(to: Endpoint): Connection<F> {
    if (this.#conns.size >= this.options.maxTcpConnections) {
      throw new TransportError('tcp-limit', 'too many TCP connections');
    }
    const socket = net.connect({ host: to.address, port: to.port });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy(new Error('connect timeout'));
      }, this.options.tcpConnectTimeoutMs);
      timer.unref();
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new TransportError('tcp-connect', `cannot connect to ${to.address}:${to.port}: ${err.message}`, { cause: err }));
      });
    });
    ready.catch(() => undefined);
    return this.#register(socket, to, ready);
  }

  #adopt(socket: net.Socket): void {
    if (this.#closed || !socket.remoteAddress || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    const remote: Endpoint = { transport: 'tcp', address: normalizeAddress(socket.remoteAddress), port: socket.remotePort };
    this.#register(socket, remote, Promise.resolve());
  }

  #register(socket: net.Socket, remote: Endpoint, ready: Promise<void>): Connection<F> {
    const conn: Connection<F> = { socket, framer: this.options.createFramer(), remote, idle: undefined, ready };
    const k = key(remote.address, remote.port);
    this.#conns.set(k, conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#touch(conn);
      let frames: F[];
      try {
        frames = conn.framer.push(chunk);
      } catch (err) {
        this.#events.onError?.(new TransportError('tcp-framing', err instanceof Error ? err.message : String(err), { cause: err }), remote);
        socket.destroy();
        return;
      }
      for (const f of frames) this.#events.onFrame(f, remote);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (conn.idle) clearTimeout(conn.idle);
      if (this.#conns.get(k) === conn) this.#conns.delete(k);
    });
    this.#touch(conn);
    return conn;
  }

  #touch(conn: Connection<F>): void {
    if (conn.idle) clearTimeout(conn.idle);
    conn.idle = setTimeout(() => conn.socket.destroy(), this.options.tcpIdleMs);
    conn.idle.unref();
  }

  /** Closes every socket and connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of this.#conns.values()) {
      if (conn.idle) clearTimeout(conn.idle);
      conn.socket.destroy();
    }
    this.#conns.clear();
    const udp = this.#udp;
    this.#udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    const tcp = this.#tcp;
    this.#tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
}

/** Strips the IPv4-mapped IPv6 prefix so addresses compare equal across socket families. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
