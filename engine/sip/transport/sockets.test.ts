import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint, Framer } from './sockets.ts';
import { SocketTransport, TransportError, normalizeAddress } from './sockets.ts';

/** Test framer: messages end with a blank line (enough to exercise the stream plumbing). */
function blankLineFramer(): Framer<Buffer> {
  let pending = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      for (;;) {
        const i = pending.indexOf('\r\n\r\n');
        if (i < 0) break;
        out.push(pending.subarray(0, i + 4));
        pending = pending.subarray(i + 4);
      }
      if (pending.length > 100) throw new Error('too large');
      return out;
    },
  };
}

const open: SocketTransport<Buffer>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function start(host: string, tcpIdleMs = 60_000): Promise<{ t: SocketTransport<Buffer>; got: Array<[string, Endpoint]> }> {
  const got: Array<[string, Endpoint]> = [];
  const t = new SocketTransport({ host, port: 0, createFramer: blankLineFramer, tcpIdleMs }, { onData: (d, r) => got.push([d.toString(), r]), onFrame: (d, r) => got.push([d.toString(), r]) });
  await t.listen();
  open.push(t);
  return { t, got };
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('SocketTransport', () => {
  it('delivers one UDP datagram as one message with its source (RFC 3261 §18.3)', async () => {
    const a = await start('127.0.0.1');
    const b = await start('127.0.0.1');
    await b.t.send(Buffer.from('hello\r\n\r\n'), { transport: 'udp', address: '127.0.0.1', port: a.t.port });
    await until(() => a.got.length === 1);
    expect(a.got[0][0]).toBe('hello\r\n\r\n');
    expect(a.got[0][1]).toEqual({ transport: 'udp', address: '127.0.0.1', port: b.t.port });
  });

  it('works over IPv6 loopback', async () => {
    const a = await start('::1');
    const b = await start('::1');
    expect(a.t.family).toBe('IPv6');
    await b.t.send(Buffer.from('v6\r\n\r\n'), { transport: 'udp', address: '::1', port: a.t.port });
    await until(() => a.got.length === 1);
    expect(a.got[0][1].address).toBe('::1');
  });

  it('frames a TCP stream and reuses one connection per remote (RFC 3261 §18.3)', async () => {
    const a = await start('127.0.0.1');
    const b = await start('127.0.0.1');
    const to: Endpoint = { transport: 'tcp', address: '127.0.0.1', port: a.t.port };
    await b.t.send(Buffer.from('one\r\n\r\ntw'), to);
    await b.t.send(Buffer.from('o\r\n\r\n'), to);
    await until(() => a.got.length === 2);
    expect(a.got.map((g) => g[0])).toEqual(['one\r\n\r\n', 'two\r\n\r\n']);
    expect(b.t.connectionCount).toBe(1);
    expect(a.t.connectionCount).toBe(1);
    // The server side answers on the same connection.
    const from = a.got[0][1];
    expect(a.t.hasConnection(from.address, from.port)).toBe(true);
    await a.t.send(Buffer.from('back\r\n\r\n'), from);
    await until(() => b.got.length === 1);
    expect(b.got[0][0]).toBe('back\r\n\r\n');
  });

  it('closes a TCP stream that cannot be framed, and an idle one', async () => {
    const errors: TransportError[] = [];
    const t = new SocketTransport({ host: '127.0.0.1', port: 0, createFramer: blankLineFramer, tcpIdleMs: 100 }, { onData: () => {}, onFrame: () => {}, onError: (e) => errors.push(e) });
    await t.listen();
    open.push(t);
    const s1 = net.connect(t.port, '127.0.0.1');
    await new Promise((r) => s1.once('connect', r));
    s1.write('x'.repeat(200));
    await new Promise((r) => s1.once('close', r));
    expect(errors[0]?.code).toBe('tcp-framing');
    const s2 = net.connect(t.port, '127.0.0.1');
    await new Promise((r) => s2.once('connect', r));
    const t0 = Date.now();
    await new Promise((r) => s2.once('close', r));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
    await until(() => t.connectionCount === 0);
  });

  it('refuses a port in use with a typed error, and a failed TCP connect', async () => {
    const a = await start('127.0.0.1');
    const clash = new SocketTransport({ host: '127.0.0.1', port: a.t.port, tcp: false, createFramer: blankLineFramer }, { onData: () => {}, onFrame: () => {} });
    await expect(clash.listen()).rejects.toBeInstanceOf(TransportError);
    const free = dgram.createSocket('udp4');
    await new Promise<void>((r) => free.bind(0, '127.0.0.1', () => r()));
    const port = free.address().port;
    free.close();
    await expect(a.t.send(Buffer.from('x'), { transport: 'tcp', address: '127.0.0.1', port })).rejects.toMatchObject({ code: 'tcp-connect' });
  });

  it('normalizes IPv4-mapped IPv6 addresses', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('::1')).toBe('::1');
  });
});
