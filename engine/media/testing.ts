// Test doubles for the media layer: in-memory RTP/RTCP sockets that record what a leg sends and deliver datagrams as if from the network (no RFC).
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import type { LegSockets, MediaSocket } from './leg.ts';
import type { PortPair } from './ports.ts';

/** One datagram a fake socket was asked to send (a copy, taken at send time). */
export interface SentDatagram {
  readonly data: Buffer;
  readonly port: number;
  readonly address: string;
}

/** An in-memory UDP socket: `send` records a copy, `deliver` emits 'message' like node:dgram. */
export class FakeSocket extends EventEmitter implements MediaSocket {
  readonly sent: SentDatagram[] = [];
  closed = false;

  /** @throws {Error} when closed, like a closed dgram socket. */
  send(msg: Uint8Array, offset: number, length: number, port: number, address: string, callback?: (error: Error | null, bytes: number) => void): void {
    if (this.closed) throw new Error('Not running');
    this.sent.push({ data: Buffer.from(msg.subarray(offset, offset + length)), port, address });
    if (callback) queueMicrotask(() => callback(null, length));
  }

  /** Emits a received datagram from `address:port` (the buffer is copied, as the kernel would). */
  deliver(data: Uint8Array, address: string, port: number): void {
    const rinfo: RemoteInfo = { address, port, family: isIP(address) === 6 ? 'IPv6' : 'IPv4', size: data.length };
    this.emit('message', Buffer.from(data), rinfo);
  }

  /** Removes and returns what was sent so far. */
  take(): SentDatagram[] {
    return this.sent.splice(0, this.sent.length);
  }
}

/** A fake RTP/RTCP pair for a leg. */
export interface FakeLegSockets extends LegSockets {
  readonly rtp: FakeSocket;
  readonly rtcp: FakeSocket;
  /** How many times close() ran its body (must be 1). */
  readonly closeCount: number;
}

/** Makes a fake pair on `rtpPort`/`rtpPort + 1`. */
export function fakeLegSockets(rtpPort = 30000): FakeLegSockets {
  const rtp = new FakeSocket();
  const rtcp = new FakeSocket();
  const ports: PortPair = { rtp: rtpPort, rtcp: rtpPort + 1 };
  let closeCount = 0;
  let closing: Promise<void> | null = null;
  return {
    ports,
    rtp,
    rtcp,
    get closeCount() {
      return closeCount;
    },
    close(): Promise<void> {
      closing ??= Promise.resolve().then(() => {
        closeCount++;
        rtp.closed = true;
        rtcp.closed = true;
      });
      return closing;
    },
  };
}
