import { afterEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/index.ts';
import { SipRequest as Request, createResponse, generateCallId, generateTag } from '../message/index.ts';
import { DigestAuthenticator, computeHa1 } from '../auth/index.ts';
import { UserAgent } from './user-agent.ts';
import { SIPP_SCENARIOS, runSipp } from '../../../test/peers/sipp.ts';

const agents: UserAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

async function start(handlers: ConstructorParameters<typeof UserAgent>[1] = {}): Promise<UserAgent> {
  const ua = new UserAgent({ transport: { host: '127.0.0.1', port: 0 } }, handlers);
  await ua.listen();
  agents.push(ua);
  return ua;
}

function request(method: string, ua: UserAgent, extra: Array<[string, string]> = [], toTag?: string): SipRequest {
  return new Request({
    method,
    uri: `sip:svc@${ua.transport.sentBy}`,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:tester@example.test>;tag=${generateTag()}`],
      ['To', `<sip:svc@example.test>${toTag ? `;tag=${toTag}` : ''}`],
      ['Call-ID', generateCallId()],
      ['CSeq', `1 ${method}`],
      ...extra,
    ],
  });
}

describe('UserAgent core over UDP', () => {
  it('answers OPTIONS 200 with Allow, Accept and Supported (RFC 3261 §11.2)', async () => {
    const server = await start();
    const client = await start();
    const res = await client.request(request('OPTIONS', server), { transport: 'udp', address: '127.0.0.1', port: server.transport.port });
    expect(res.status).toBe(200);
    expect(res.allow()).toContain('INVITE');
    expect(res.get('Accept')).toBe('application/sdp');
    expect(res.has('Supported')).toBe(true);
  });

  it('answers 501 to an unknown method and 481 to a request for a dialog it does not have (RFC 3261 §8.2.1, §12.2.2)', async () => {
    const server = await start();
    const client = await start();
    const dest = { transport: 'udp' as const, address: '127.0.0.1', port: server.transport.port };
    expect((await client.request(request('FOOBAR', server), dest)).status).toBe(501);
    expect((await client.request(request('BYE', server, [], 'nosuchdialog'), dest)).status).toBe(481);
    expect((await client.request(request('INFO', server, [], 'nosuchdialog'), dest)).status).toBe(481);
  });

  it('answers 420 with Unsupported for an unknown Require (RFC 3261 §8.2.2.3)', async () => {
    const server = await start();
    const client = await start();
    const res = await client.request(request('OPTIONS', server, [['Require', 'foo-ext']]), { transport: 'udp', address: '127.0.0.1', port: server.transport.port });
    expect(res.status).toBe(420);
    expect(res.unsupported()).toEqual(['foo-ext']);
  });

  it('retries a challenged request once with digest credentials, CSeq + 1 (RFC 3261 §22.2)', async () => {
    const auth = new DigestAuthenticator({ algorithms: ['MD5'] });
    const realm = 'acme.test';
    const ha1 = computeHa1('MD5', 'gw1', realm, 's3cret');
    const seen: number[] = [];
    const server = await start({
      register: async (req) => {
        seen.push(req.cseq().seq);
        const header = req.authorization()[0];
        if (header) {
          const verdict = await auth.verify({ header, method: req.method, realm, lookupHa1: () => ha1 });
          if (verdict.ok) return createResponse(req, 200);
        }
        return createResponse(req, 401, undefined, { headers: auth.challenge(realm).map((v) => ['WWW-Authenticate', v] as [string, string]) });
      },
    });
    const client = await start();
    const dest = { transport: 'udp' as const, address: '127.0.0.1', port: server.transport.port };
    const ok = await client.request(request('REGISTER', server), dest, { credentials: { username: 'gw1', password: 's3cret' } });
    expect(ok.status).toBe(200);
    expect(seen).toEqual([1, 2]);
    const bad = await client.request(request('REGISTER', server), dest, { credentials: { username: 'gw1', password: 'wrong' } });
    expect(bad.status).toBe(401);
  });

  it('answers the OPTIONS keepalive of SIPp, a real gateway-like peer (RFC 3261 §11)', async () => {
    const server = await start();
    const r = await runSipp({
      scenario: `${SIPP_SCENARIOS}gateway-options-keepalive.xml`,
      target: `127.0.0.1:${server.transport.port}`,
      calls: 3,
      rate: 10,
      timeoutSec: 15,
    });
    expect(r.exitCode, r.stderr + r.errors).toBe(0);
    expect(r.successful).toBe(3);
    expect(r.failed).toBe(0);
  });

  it('keeps serving after garbage and malformed requests (RFC 3261 §16.3, RFC 4475)', async () => {
    const server = await start();
    const client = await start();
    const dest = { transport: 'udp' as const, address: '127.0.0.1', port: server.transport.port };
    await client.transport.sendBytes(Buffer.from('\x00\x01garbage\r\n\r\n'), dest);
    await client.transport.sendBytes(Buffer.from('INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\nContent-Length: 9999\r\n\r\n'), dest);
    const res = await client.request(request('OPTIONS', server), dest);
    expect(res.status).toBe(200);
    expect(server.transport.stats.parseErrors).toBe(2);
  });
});
