// RTP/RTCP port allocation over a configured range: even RTP ports with RTCP on RTP + 1 (RFC 3550 §11), a quarantine before reuse, and binding of UDP socket pairs.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Scheduler } from '../util/scheduler.ts';

/** Options of {@link PortAllocator}. */
export interface PortAllocatorOptions {
  /** Lowest port of the range (inclusive). */
  min: number;
  /** Highest port of the range (inclusive); the last pair's RTCP port must fit. */
  max: number;
  /**
   * Time a released pair rests before it is handed out again, in ms, so that late packets of the
   * previous call (retransmitted re-INVITEs, a slow peer) do not land in the next one.
   */
  quarantineMs: number;
  /** Time source (ms, monotonic); the real clock by default. */
  clock: Pick<Scheduler, 'now'>;
}

/** Defaults of {@link PortAllocatorOptions} (the range is the one `hotline serve --rtp-ports` uses by default). */
export const PORT_ALLOCATOR_DEFAULTS: Readonly<Omit<PortAllocatorOptions, 'clock'>> = Object.freeze({
  min: 20000,
  max: 29999,
  quarantineMs: 5000,
});

/** An RTP port and its RTCP companion (RTP + 1, RFC 3550 §11). */
export interface PortPair {
  readonly rtp: number;
  readonly rtcp: number;
}

/** No pair can be handed out: every pair is in use or resting in quarantine. */
export class PortExhaustedError extends Error {
  readonly code = 'ports-exhausted';
  /** Pairs in use when the request failed. */
  readonly inUse: number;
  /** Pairs in quarantine when the request failed. */
  readonly quarantined: number;

  constructor(message: string, inUse: number, quarantined: number) {
    super(message);
    this.name = 'PortExhaustedError';
    this.inUse = inUse;
    this.quarantined = quarantined;
  }
}

const FREE = 0;
const ALLOCATED = 1;

/**
 * Hands out RTP/RTCP port pairs from a range. Free pairs wait in a FIFO ordered by release time, so
 * the pair handed out is always the one released longest ago (the widest reuse distance) and the
 * quarantine check is O(1): if the oldest released pair is still resting, so are all the others.
 * Pure bookkeeping: no sockets (see {@link bindRtpPair}).
 */
export class PortAllocator {
  /** First RTP port of the range (even). */
  readonly first: number;
  /** Number of pairs in the range. */
  readonly capacity: number;
  readonly #quarantineMs: number;
  readonly #clock: Pick<Scheduler, 'now'>;
  readonly #state: Uint8Array;
  readonly #releasedAt: Float64Array;
  readonly #queue: Int32Array;
  #head = 0;
  #queued = 0;

  /** @throws {TypeError} if the range holds no even/odd pair or the quarantine is negative. */
  constructor(options: Partial<PortAllocatorOptions> = {}) {
    const opts = { ...PORT_ALLOCATOR_DEFAULTS, clock: { now: () => performance.now() }, ...options };
    for (const k of ['min', 'max'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1 || opts[k] > 65535) throw new TypeError(`${k} must be a port number in 1..65535`);
    }
    if (!Number.isFinite(opts.quarantineMs) || opts.quarantineMs < 0) throw new TypeError('quarantineMs must be a non-negative number');
    this.first = opts.min + (opts.min & 1);
    this.capacity = Math.max(0, Math.floor((opts.max - this.first + 1) / 2));
    if (this.capacity === 0) throw new TypeError(`port range ${opts.min}-${opts.max} holds no RTP/RTCP pair`);
    this.#quarantineMs = opts.quarantineMs;
    this.#clock = opts.clock;
    this.#state = new Uint8Array(this.capacity);
    this.#releasedAt = new Float64Array(this.capacity).fill(-Infinity);
    this.#queue = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.#queue[i] = i;
    this.#queued = this.capacity;
  }

  /** Pairs handed out and not released. */
  get inUse(): number {
    return this.capacity - this.#queued;
  }

  /** Pairs that could be handed out now. */
  get available(): number {
    const now = this.#clock.now();
    let n = 0;
    for (let k = 0; k < this.#queued; k++) {
      const idx = this.#queue[(this.#head + k) % this.capacity];
      if (now - this.#releasedAt[idx] >= this.#quarantineMs) n++;
      else break;
    }
    return n;
  }

  /** Pairs released and still resting. */
  get quarantined(): number {
    return this.#queued - this.available;
  }

  /**
   * Takes the pair released longest ago whose quarantine is over.
   *
   * @throws {PortExhaustedError} if every pair is in use or in quarantine.
   */
  allocate(): PortPair {
    if (this.#queued === 0) throw new PortExhaustedError(`all ${this.capacity} RTP port pairs are in use`, this.capacity, 0);
    const idx = this.#queue[this.#head];
    if (this.#clock.now() - this.#releasedAt[idx] < this.#quarantineMs) {
      throw new PortExhaustedError(`no RTP port pair free: ${this.inUse} in use, ${this.#queued} in quarantine`, this.inUse, this.#queued);
    }
    this.#head = (this.#head + 1) % this.capacity;
    this.#queued--;
    this.#state[idx] = ALLOCATED;
    const rtp = this.first + 2 * idx;
    return { rtp, rtcp: rtp + 1 };
  }

  /**
   * Gives a pair back; it rests in quarantine before it is handed out again. Returns false (and does
   * nothing) if `rtpPort` is not a pair this allocator handed out.
   */
  release(rtpPort: number): boolean {
    const idx = (rtpPort - this.first) / 2;
    if (!Number.isInteger(idx) || idx < 0 || idx >= this.capacity || this.#state[idx] !== ALLOCATED) return false;
    this.#state[idx] = FREE;
    this.#releasedAt[idx] = this.#clock.now();
    this.#queue[(this.#head + this.#queued) % this.capacity] = idx;
    this.#queued++;
    return true;
  }

  /** Whether `rtpPort` is currently handed out. */
  isAllocated(rtpPort: number): boolean {
    const idx = (rtpPort - this.first) / 2;
    return Number.isInteger(idx) && idx >= 0 && idx < this.capacity && this.#state[idx] === ALLOCATED;
  }
}

/** Options of {@link bindRtpPair}. */
export interface BindRtpOptions {
  /** Local address to bind (IPv4 or IPv6 literal, `0.0.0.0`/`::` for all). */
  address: string;
  /** Pairs tried before giving up when ports are taken by other programs. */
  maxAttempts: number;
}

/** Defaults of {@link BindRtpOptions}. */
export const BIND_RTP_DEFAULTS: Readonly<BindRtpOptions> = Object.freeze({ address: '0.0.0.0', maxAttempts: 64 });

/** A bound RTP/RTCP socket pair; `close()` closes both and gives the ports back (quarantined). */
export interface BoundRtpPair {
  readonly ports: PortPair;
  readonly rtp: Socket;
  readonly rtcp: Socket;
  /** Idempotent. */
  close(): Promise<void>;
}

function bindSocket(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type, reuseAddr: false });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/**
 * Allocates a pair and binds a UDP socket on each port. A port taken by another program
 * (EADDRINUSE, or EACCES) sends its pair to quarantine and the next pair is tried. The sockets come
 * back with no 'error' listener: the owner must add one.
 *
 * @throws {PortExhaustedError} if no pair could be bound within `maxAttempts`, or the range is exhausted.
 * @throws {TypeError} if `address` is not an IP literal.
 * @throws the bind error for anything other than a port in use (e.g. EADDRNOTAVAIL).
 */
export async function bindRtpPair(allocator: PortAllocator, options: Partial<BindRtpOptions> = {}): Promise<BoundRtpPair> {
  const opts = { ...BIND_RTP_DEFAULTS, ...options };
  const family = isIP(opts.address);
  if (family === 0) throw new TypeError('address must be an IPv4 or IPv6 literal');
  const type = family === 6 ? 'udp6' : 'udp4';
  for (let attempt = 0; attempt < opts.maxAttempts; attempt++) {
    const ports = allocator.allocate();
    let rtp: Socket | null = null;
    try {
      rtp = await bindSocket(type, opts.address, ports.rtp);
      const rtcp = await bindSocket(type, opts.address, ports.rtcp);
      let closed: Promise<void> | null = null;
      const bound: Socket = rtp;
      return {
        ports,
        rtp: bound,
        rtcp,
        close(): Promise<void> {
          closed ??= Promise.all([closeSocket(bound), closeSocket(rtcp)]).then(() => {
            allocator.release(ports.rtp);
          });
          return closed;
        },
      };
    } catch (err) {
      if (rtp !== null) await closeSocket(rtp);
      allocator.release(ports.rtp);
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    }
  }
  throw new PortExhaustedError(`no bindable RTP port pair after ${opts.maxAttempts} attempts`, allocator.inUse, allocator.quarantined);
}
