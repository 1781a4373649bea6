// `hotline sim`: schema output, usage errors (exit 2), gateway and agent commands against a mini server, a scenario run with --mini-server.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMiniServer } from '../../simulator/testing/mini-server.ts';
import { tempDir } from '../../simulator/testing/helpers.ts';
import { createSimCommand } from './sim.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function cli(): { run: (args: string[]) => Promise<number>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const cmd = createSimCommand({ out: (s) => void out.push(s), err: (s) => void err.push(s), startServer: async () => undefined });
  return { run: (args) => cmd.run(args), out, err };
}

describe('hotline sim', () => {
  it('prints the scenario schema', async () => {
    const c = cli();
    expect(await c.run(['schema'])).toBe(0);
    expect(JSON.parse(c.out.join('')).title).toBe('Hotline simulation scenario');
  });

  it('refuses bad usage with exit code 2', async () => {
    const c = cli();
    expect(await c.run(['gateway', '--server', '127.0.0.1:5060'])).toBe(2);
    expect(c.err.join('')).toMatch(/--domain is required/);
    expect(await c.run(['fly'])).toBe(2);
    expect(await c.run(['agent', '--server', '127.0.0.1:5060', '--domain', 'd', '--ext', '9-1', '--password', 'x'])).toBe(2);
  });

  it('run: an invalid scenario exits 2 naming the fault; an in-process scenario without a server hook exits 2', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'server: { address: "127.0.0.1" }\ngateways: []\nload: { callsPerSecond: 1, totalCalls: 1 }\n');
    const c = cli();
    expect(await c.run(['run', bad])).toBe(2);
    expect(c.err.join('')).toMatch(/\/gateways: must have at least 1 item \(line 2\)/);
    expect(await c.run(['run', path.join(import.meta.dirname, '../../simulator/scenarios/smoke.yaml'), '--quiet'])).toBe(2);
    expect(c.err.join('')).toMatch(/in-process server/);
  });

  it('gateway --call places calls through a server and reports them; agent registers softphones that answer', async () => {
    const s = await startMiniServer({ domain: 'acme.test', gateway: { username: 'gw1', password: 'secret' }, agents: [{ extension: '100', password: 'pw-100' }], rtpPorts: { min: 15500, max: 15999 }, greeting: { hz: 440, ms: 300 } });
    cleanups.push(() => s.close());
    const agent = cli();
    const agentRun = agent.run(['agent', '--server', `127.0.0.1:${s.sip.port}`, '--domain', 'acme.test', '--ext', '100', '--password', 'pw-{ext}', '--ring', '100', '--duration', '4', '--rtp-ports', '16500-16999']);
    await new Promise((r) => setTimeout(r, 300));
    const gw = cli();
    const code = await gw.run(['gateway', '--server', `127.0.0.1:${s.sip.port}`, '--domain', 'acme.test', '--user', 'gw1', '--password', 'secret', '--call', '02188886666', '--calls', '2', '--rate', '4', '--talk', '1.5', '--caller', '+15550042', '--rtp-ports', '17000-17499']);
    const text = gw.out.join('');
    expect(code, text + gw.err.join('')).toBe(0);
    expect(text).toMatch(/gateway gw1@acme\.test registered/);
    expect(text).toMatch(/call 1: \+15550042 → 02188886666@acme\.test/);
    expect(text).toMatch(/call 2: answered in \d+ ms/);
    expect(text).toMatch(/2 of 2 calls answered/);
    expect(await agentRun).toBe(0);
    const a = agent.out.join('');
    expect(a).toMatch(/100@acme\.test: registered/);
    expect(a).toMatch(/100: ringing, call from \+15550042/);
    // One softphone, one call at a time: the second call may find it busy.
    expect((a.match(/100: answered/g) ?? []).length + (a.match(/refused 486/g) ?? []).length).toBe(2);
    expect(s.outcomes.map((o) => o.greeting)).toEqual(['ended', 'ended']);
  }, 20_000);

  it('run --mini-server executes an in-process scenario, writes the report and exits 0 (1 when an expectation fails)', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const file = path.join(dir, 'one.yaml');
    const scenario = (expectation: string) => `
server: { inProcess: true, domain: one.test, numbers: ["777"] }
gateways: [{ username: gw, password: gw-password }]
agents: [{ extensions: "300", password: agent-password, behaviour: { action: answer, ringMs: 100, talkSec: 1 } }]
load: { callsPerSecond: 1, totalCalls: 1, maxCallSec: 10 }
expect: { answerSeizureRatio: "${expectation}", callerHeardAgentRatio: ">= 1" }
`;
    await writeFile(file, scenario('>= 1'));
    const c = cli();
    const code = await c.run(['run', file, '--mini-server', '--out', path.join(dir, 'out'), '--quiet', '--rtp-ports', '16000-16499']);
    expect(code, c.out.join('') + c.err.join('')).toBe(0);
    expect(c.out.join('')).toMatch(/one: 1 placed, 1 answered \(ASR 100\.0 %\), 1 bridged/);
    expect(c.out.join('')).toMatch(/PASSED\n$/);
    expect(JSON.parse(await readFile(path.join(dir, 'out', 'report.json'), 'utf8')).passed).toBe(true);
    await writeFile(file, scenario('< 1'));
    const d = cli();
    expect(await d.run(['run', file, '--mini-server', '--quiet', '--rtp-ports', '16000-16499'])).toBe(1);
    expect(d.out.join('')).toMatch(/FAIL answerSeizureRatio < 1 \(actual 1\)/);
  }, 20_000);
});
