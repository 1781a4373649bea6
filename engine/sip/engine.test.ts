import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryCredentials } from './registrar/index.ts';
import { SipEngine } from './engine.ts';
import { SIPP_SCENARIOS, runSipp } from '../../test/peers/sipp.ts';

const engines: SipEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function start(): Promise<SipEngine> {
  const creds = new InMemoryCredentials().addDomain('acme.test').addUser('acme.test', 'gw1', 'gw-secret');
  const e = new SipEngine({ credentials: creds, onIncoming: (c) => c.reject(480) }, { ua: { transport: { host: '127.0.0.1', port: 0 } }, keepalive: { enabled: false } });
  await e.listen();
  engines.push(e);
  return e;
}

describe('SIP engine with SIPp as the gateway', () => {
  it('registers with digest auth (401 then 200), refreshes and un-registers (RFC 3261 §10.2, §22.4)', async () => {
    const e = await start();
    const events: string[] = [];
    e.registrar.on('registered', () => events.push('registered'));
    e.registrar.on('refreshed', () => events.push('refreshed'));
    e.registrar.on('unregistered', () => events.push('unregistered'));
    const r = await runSipp({
      scenario: `${SIPP_SCENARIOS}gateway-registers-with-digest.xml`,
      target: `127.0.0.1:${e.port}`,
      calls: 1,
      timeoutSec: 15,
      args: ['-key', 'user', 'gw1', '-key', 'domain', 'acme.test', '-au', 'gw1', '-ap', 'gw-secret'],
    });
    expect(r.exitCode, r.stdout.slice(-1500) + r.errors).toBe(0);
    expect(r.successful).toBe(1);
    expect(events).toEqual(['registered', 'refreshed', 'unregistered']);
    expect(await e.registrar.bindings('sip:gw1@acme.test')).toEqual([]);
  });

  it('refuses a wrong password: the scenario fails at the second 401 (RFC 3261 §22.4)', async () => {
    const e = await start();
    const r = await runSipp({
      scenario: `${SIPP_SCENARIOS}gateway-registers-with-digest.xml`,
      target: `127.0.0.1:${e.port}`,
      calls: 1,
      timeoutSec: 10,
      args: ['-key', 'user', 'gw1', '-key', 'domain', 'acme.test', '-au', 'gw1', '-ap', 'wrong'],
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.successful).toBe(0);
    expect(e.registrar.stats().authFailures).toBeGreaterThan(0);
  });
});
