import { afterEach, describe, expect, it } from 'vitest';
import type { EndReason, IncomingCall } from './invite.ts';
import { InviteSessions } from './invite.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import { UserAgent } from './user-agent.ts';
import { SIPP_SCENARIOS, runSipp } from '../../../test/peers/sipp.ts';

const SDP = (port: number) =>
  ['v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', ''].join('\r\n');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(onIncoming: (c: IncomingCall) => void = () => {}, t1 = 500): Promise<{ ua: UserAgent; sessions: InviteSessions }> {
  const ua = new UserAgent({ transport: { host: '127.0.0.1', port: 0 }, transactions: { timers: { t1, t2: 4000, t4: 5000, d: 32_000 } } });
  const sessions = new InviteSessions(ua, { onIncoming });
  await ua.listen();
  cleanups.push(async () => {
    sessions.close();
    await ua.close();
  });
  return { ua, sessions };
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('INVITE sessions between two of our UAs (RFC 3261 §13–§15)', () => {
  it('rings, answers with SDP, is ACKed, and either side hangs up with BYE', async () => {
    const ends: EndReason[] = [];
    let confirmed = false;
    const server = await start((call) => {
      call.progress(180);
      call.events = { onConfirmed: () => (confirmed = true), onEnded: (r) => ends.push(r) };
      setTimeout(() => call.answer(SDP(4000)), 20);
    });
    const client = await start();
    const progress: number[] = [];
    let answered = '';
    const out = client.sessions.call(
      { uri: `sip:100@127.0.0.1:${server.ua.transport.port}`, dest: { transport: 'udp', address: '127.0.0.1', port: server.ua.transport.port }, from: '<sip:alice@example.test>', sdp: SDP(5000) },
      { onProgress: (r) => progress.push(r.status), onAnswered: (r) => (answered = r.body.toString()), onEnded: (r) => ends.push(r) },
    );
    await until(() => confirmed);
    expect(progress).toContain(180);
    expect(answered).toContain('m=audio 4000');
    expect(out.state).toBe('confirmed');
    await out.bye();
    await until(() => ends.length === 2);
    expect(ends.sort()).toEqual(['local-bye', 'remote-bye']);
    expect(server.sessions.size).toBe(0);
    expect(client.sessions.size).toBe(0);
  });

  it('CANCEL of a ringing call ends it with 487 on both sides (RFC 3261 §9)', async () => {
    let incoming: IncomingCall | undefined;
    const serverEnds: EndReason[] = [];
    const server = await start((call) => {
      incoming = call;
      call.events = { onEnded: (r) => serverEnds.push(r) };
      call.progress(180);
    });
    const client = await start();
    let failed = 0;
    const out = client.sessions.call(
      { uri: `sip:100@127.0.0.1`, dest: { transport: 'udp', address: '127.0.0.1', port: server.ua.transport.port }, from: '<sip:alice@example.test>', sdp: SDP(5000) },
      { onFailed: (s) => (failed = s) },
    );
    await until(() => incoming?.state === 'early' && out.state === 'early');
    out.cancel();
    await until(() => failed !== 0 && serverEnds.length === 1);
    expect(failed).toBe(487);
    expect(serverEnds).toEqual(['cancelled']);
    expect(out.endReason).toBe('cancelled');
  });

  it('answers digest challenges on INVITE once (RFC 3261 §22.2) and reports a rejection', async () => {
    let attempts = 0;
    const server = await start((call) => {
      attempts++;
      if (!call.request.has('Proxy-Authorization')) {
        call.reject(407, undefined, [['Proxy-Authenticate', 'Digest realm="acme.test", nonce="abc123", algorithm=MD5, qop="auth"']]);
      } else call.reject(486);
    });
    const client = await start();
    let failed = 0;
    client.sessions.call(
      { uri: `sip:100@acme.test`, dest: { transport: 'udp', address: '127.0.0.1', port: server.ua.transport.port }, from: '<sip:gw@acme.test>', sdp: SDP(5000), credentials: { username: 'gw', password: 'pw' } },
      { onFailed: (s) => (failed = s) },
    );
    await until(() => failed !== 0);
    expect(failed).toBe(486);
    expect(attempts).toBe(2);
  });

  it('handles a re-INVITE for hold inside the dialog (RFC 3261 §14)', async () => {
    let incoming: IncomingCall | undefined;
    const server = await start((call) => {
      incoming = call;
      call.events = { onReinvite: (offer) => (offer.includes('a=sendonly') ? SDP(4000).replace('a=sendrecv', 'a=recvonly') : undefined) };
      call.answer(SDP(4000));
    });
    const client = await start();
    const out = client.sessions.call({ uri: `sip:100@x.test`, dest: { transport: 'udp', address: '127.0.0.1', port: server.ua.transport.port }, from: '<sip:a@x.test>', sdp: SDP(5000) });
    await until(() => out.state === 'confirmed');
    const hold = await out.reinvite(SDP(5000).replace('a=sendrecv', 'a=sendonly'));
    expect(hold.status).toBe(200);
    expect(hold.sdp).toContain('a=recvonly');
    const refused = await out.reinvite(SDP(5000));
    expect(refused.status).toBe(488);
    expect(incoming?.state).toBe('confirmed');
    await out.bye();
  });

  it('retransmits the 2xx until the ACK and ends with BYE when no ACK comes (RFC 3261 §13.3.1.4)', async () => {
    const ends: string[] = [];
    const server = await start((call) => {
      call.events = { onEnded: (r) => ends.push(r) };
      call.answer(SDP(4000));
    }, 20);
    // A raw peer that never ACKs: count the 200s it receives.
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString().split('\r\n')[0]));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
    const port = sock.address().port;
    const invite = [
      `INVITE sip:100@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-noack`,
      'Max-Forwards: 70',
      'From: <sip:x@y.test>;tag=1',
      'To: <sip:100@127.0.0.1>',
      'Call-ID: noack-1',
      'CSeq: 1 INVITE',
      `Contact: <sip:x@127.0.0.1:${port}>`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    sock.send(invite, server.ua.transport.port, '127.0.0.1');
    await until(() => ends.length === 1, 8000);
    const oks = got.filter((l) => l.startsWith('SIP/2.0 200'));
    expect(oks.length).toBeGreaterThanOrEqual(5);
    await until(() => got.some((l) => l.startsWith('BYE ')));
  });
});

describe('INVITE interop with SIPp (real peer)', () => {
  it('SIPp as UAC: INVITE → our UAS answers → BYE, 5 calls', async () => {
    const server = await start((call) => call.answer(SDP(4000)));
    const r = await runSipp({ scenario: 'uac', target: `127.0.0.1:${server.ua.transport.port}`, calls: 5, rate: 20, timeoutSec: 20, args: ['-d', '50'] });
    expect(r.exitCode, r.stdout.slice(-2000) + r.errors).toBe(0);
    expect(r.successful).toBe(5);
    expect(server.sessions.size).toBe(0);
  });

  it('our UAC calls SIPp\'s built-in UAS and hangs up with BYE', async () => {
    const client = await start();
    const sippRun = runSipp({ scenario: 'uas', localPort: 16071, calls: 2, timeoutSec: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const results: string[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve) => {
        const c = client.sessions.call(
          { uri: 'sip:service@127.0.0.1:16071', dest: { transport: 'udp', address: '127.0.0.1', port: 16071 }, from: '<sip:hotline@127.0.0.1>', sdp: SDP(5000) },
          {
            onAnswered: () => {
              results.push('answered');
              setTimeout(() => void c.bye(), 50);
            },
            onEnded: (reason) => {
              results.push(reason);
              resolve();
            },
          },
        );
        expect(c.state).not.toBe('terminated');
      });
    }
    const r = await sippRun;
    expect(results).toEqual(['answered', 'local-bye', 'answered', 'local-bye']);
    expect(r.exitCode, r.stdout.slice(-2000) + r.errors).toBe(0);
    expect(r.successful).toBe(2);
  });

  it('every call completes through retransmissions under 10 % packet loss (SIPp -lost 10)', async () => {
    const server = await start((call) => call.answer(SDP(4000)), 100);
    const r = await runSipp({ scenario: 'uac', target: `127.0.0.1:${server.ua.transport.port}`, calls: 20, rate: 20, limit: 20, timeoutSec: 60, args: ['-d', '50', '-lost', '10', '-recv_timeout', '40000'] });
    expect(r.exitCode, r.stdout.slice(-2000) + r.errors).toBe(0);
    expect(r.successful).toBe(20);
    expect(r.failed).toBe(0);
  }, 90_000);
});

describe('idle dialogs (RFC 3261 §12: liveness is the UA\'s business)', () => {
  it('ends a confirmed dialog with BYE when nothing touched it for maxIdleMs', async () => {
    const clock = new FakeScheduler();
    const ends: string[] = [];
    let confirmed = false;
    const ua = new UserAgent({ transport: { host: '127.0.0.1', port: 0 }, scheduler: clock });
    const sessions = new InviteSessions(
      ua,
      {
        onIncoming: (call) => {
          call.events = { onConfirmed: () => (confirmed = true), onEnded: (r) => ends.push(r) };
          call.answer(SDP(4000));
        },
      },
      { maxIdleMs: 60_000, sweepEveryMs: 10_000 },
    );
    await ua.listen();
    cleanups.push(async () => {
      sessions.close();
      await ua.close();
    });
    const client = await start();
    const clientEnds: string[] = [];
    client.sessions.call(
      { uri: 'sip:1@x.test', dest: { transport: 'udp', address: '127.0.0.1', port: ua.transport.port }, from: '<sip:a@x.test>', sdp: SDP(5000) },
      { onEnded: (r) => clientEnds.push(r) },
    );
    await until(() => confirmed);
    clock.advance(50_000);
    expect(sessions.idleEnded).toBe(0);
    clock.advance(20_000);
    expect(sessions.idleEnded).toBe(1);
    expect(ends).toEqual(['local-bye']);
    await until(() => clientEnds.length === 1);
    expect(clientEnds).toEqual(['remote-bye']);
  });
});
