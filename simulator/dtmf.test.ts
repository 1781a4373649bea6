// Key presses from the gateway simulator collected by the server: RFC 4733 telephone-events (§2.5.1) and in-band tone pairs (ITU-T Q.23/Q.24).
import { afterEach, describe, expect, it } from 'vitest';
import { GatewaySimulator } from './gateway.ts';
import type { MiniServer } from './testing/mini-server.ts';
import { startMiniServer } from './testing/mini-server.ts';

const DOMAIN = 'acme.test';
const GW = { username: 'gw1', password: 'gw-secret' };
const NUMBER = '02188886666';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ s: MiniServer; g: GatewaySimulator }> {
  const s = await startMiniServer({
    domain: DOMAIN,
    gateway: GW,
    agents: [],
    dial: false,
    holdMs: 200,
    greeting: { hz: 440, ms: 400 },
    collect: { maxDigits: 3, timeoutMs: 3000 },
    rtpPorts: { min: 11500, max: 11999 },
  });
  cleanups.push(() => s.close());
  const g = new GatewaySimulator({ server: s.sip, domain: DOMAIN, ...GW, rtpPorts: { min: 12000, max: 12499 } });
  cleanups.push(() => g.close());
  expect((await g.start())?.ok).toBe(true);
  return { s, g };
}

describe('gateway simulator: key presses reach the server', () => {
  it('sends RFC 4733 telephone-events that the server collects (RFC 4733 §2.5.1)', async () => {
    const { s, g } = await setup();
    const call = await g.placeCall({ number: NUMBER, dtmf: [{ atMs: 600, digits: '1#9', durationMs: 80, gapMs: 80 }] });
    const r = await call.ended;
    const [o] = await s.waitForOutcomes(1);
    expect(o.collected).toEqual({ digits: '1#9', reason: 'max-digits' });
    expect(r.digitsSent).toBe('1#9');
    expect(r.outcome).toBe('answered');
    expect(r.endedBy).toBe('remote');
  });

  it('sends in-band DTMF tone pairs when the call offers no telephone-event; the server detects them (ITU-T Q.23/Q.24)', async () => {
    const { s, g } = await setup();
    const call = await g.placeCall({ number: NUMBER, dtmf: [{ atMs: 600, digits: '470', mode: 'inband', durationMs: 100, gapMs: 100 }] });
    await call.ended;
    const [o] = await s.waitForOutcomes(1);
    expect(o.collected).toEqual({ digits: '470', reason: 'max-digits' });
  });
});
