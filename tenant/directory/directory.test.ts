// The engine's tenant policies on both store backends, with the real registrar in the loop: digest realm = tenant domain (RFC 3261 §22, §10.3 steps 1–5), binding store write-through (§10.3 step 7), inbound routing by called identity, and tenant isolation.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerChallenge } from '../../engine/sip/auth/index.ts';
import { parseMessage, type SipRequest, type SipResponse } from '../../engine/sip/message/index.ts';
import { type Binding, Registrar, type RequestSource } from '../../engine/sip/registrar/index.ts';
import { FakeScheduler } from '../../engine/util/scheduler.ts';
import type { Store } from '../store/index.ts';
import { BACKENDS, useBackend } from '../testing.ts';
import { TenantDirectory } from './index.ts';

const GW_A: RequestSource = { transport: 'udp', address: '198.51.100.7', port: 5060 };
const GW_B: RequestSource = { transport: 'udp', address: '203.0.113.9', port: 5070 };

interface Fixture {
  store: Store;
  dir: TenantDirectory;
  a: { id: string; domain: string; gw: string; gwPassword: string; numberId: string };
  b: { id: string; domain: string; gw: string; gwPassword: string };
}

async function fixture(store: Store): Promise<Fixture> {
  const ta = await store.tenants.create({ name: 'Acme', domain: 'acme.example' });
  const tb = await store.tenants.create({ name: 'Bolt', domain: 'bolt.example' });
  const na = await store.numbers.add(ta.id, '02188886666');
  await store.numbers.add(tb.id, '02177775555');
  const ea = await store.telephony.enable(ta.id);
  const eb = await store.telephony.enable(tb.id);
  await store.agents.create(ta.id, { extension: '1001', name: 'Alice', password: 'alice-password' });
  await store.agents.create(ta.id, { extension: '1002', name: 'Andy', password: 'andy-password' });
  await store.agents.create(tb.id, { extension: '1001', name: 'Bob', password: 'bob-password' });
  const dir = await TenantDirectory.open(store);
  return {
    store,
    dir,
    a: { id: ta.id, domain: ta.domain, gw: ea.telephony.gatewayUsername ?? '', gwPassword: ea.password ?? '', numberId: na.id },
    b: { id: tb.id, domain: tb.domain, gw: eb.telephony.gatewayUsername ?? '', gwPassword: eb.password ?? '' },
  };
}

let cseq = 1;
function register(ruri: string, to: string, contact: string, callId: string, auth?: string): SipRequest {
  const lines = [
    `REGISTER ${ruri} SIP/2.0`,
    `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <${to}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <${to}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq++} REGISTER`,
    `Contact: <${contact}>`,
    'Expires: 600',
    'User-Agent: TestGW/1.0',
    ...(auth ? [`Authorization: ${auth}`] : []),
    'Content-Length: 0',
    '',
    '',
  ];
  return parseMessage(Buffer.from(lines.join('\r\n'))) as SipRequest;
}

/** A REGISTER, answered challenge included (RFC 3261 §22.2): the final response. */
async function registerAs(reg: Registrar, source: RequestSource, p: { ruri: string; to: string; contact: string; username: string; password: string }): Promise<SipResponse> {
  const callId = `${randomBytes(8).toString('hex')}@test`;
  const first = await reg.handle(register(p.ruri, p.to, p.contact, callId), source);
  if (first.status !== 401) return first;
  const auth = answerChallenge({ challengeHeader: first.wwwAuthenticate()[0], method: 'REGISTER', uri: p.ruri, username: p.username, password: p.password });
  return reg.handle(register(p.ruri, p.to, p.contact, callId, auth), source);
}

function registrarOver(dir: TenantDirectory): Registrar {
  return new Registrar({ scheduler: new FakeScheduler(), credentials: dir, store: dir, epochAtZero: Date.now() }, { onError: () => {} });
}

describe.each(BACKENDS)('tenant directory on %s', (backend) => {
  const h = useBackend(backend);

  it('answers credential lookups per realm = tenant domain, never across tenants (RFC 3261 §22.4)', async () => {
    const { dir, a, b } = await fixture(await h.open());
    expect(dir.realmFor('ACME.example')).toBe('acme.example');
    expect(dir.realmFor('nobody.example')).toBeUndefined();
    expect(dir.ha1(a.gw, 'acme.example', 'MD5')).toMatch(/^[0-9a-f]{32}$/);
    expect(dir.ha1(a.gw, 'bolt.example', 'MD5')).toBeUndefined();
    expect(dir.ha1(b.gw, 'acme.example', 'SHA-256')).toBeUndefined();
    // both tenants have an agent 1001: each realm answers with its own agent's hash
    expect(dir.ha1('1001', 'acme.example', 'MD5')).not.toBe(dir.ha1('1001', 'bolt.example', 'MD5'));
    expect(dir.mayRegister(a.gw, 'acme.example', { user: a.gw, host: 'acme.example' })).toBe(true);
    expect(dir.mayRegister(a.gw, 'acme.example', { user: a.gw, host: 'bolt.example' })).toBe(false);
    expect(dir.mayRegister('1001', 'acme.example', { user: '1002', host: 'acme.example' })).toBe(false);
    expect(dir.mayRegister('1001', 'bolt.example', { user: '1001', host: 'acme.example' })).toBe(false);
    expect(dir.mayRegister('9999', 'acme.example', { user: '9999', host: 'acme.example' })).toBe(false);
  });

  it('lets the gateway and agents register into their own tenant through the registrar, and stores the bindings (RFC 3261 §10.3)', async () => {
    const { store, dir, a } = await fixture(await h.open());
    const reg = registrarOver(dir);
    try {
      const gw = await registerAs(reg, GW_A, { ruri: 'sip:acme.example', to: `sip:${a.gw}@acme.example`, contact: 'sip:gw@198.51.100.7:5060', username: a.gw, password: a.gwPassword });
      expect(gw.status).toBe(200);
      const agent = await registerAs(reg, { transport: 'udp', address: '198.51.100.20', port: 5062 }, {
        ruri: 'sip:acme.example', to: 'sip:1001@acme.example', contact: 'sip:1001@198.51.100.20:5062', username: '1001', password: 'alice-password',
      });
      expect(agent.status).toBe(200);
      await dir.flush();
      const stored = await store.registrations.byTenant(a.id);
      expect(stored.map((s) => [s.kind, s.binding.aor]).sort()).toEqual([['agent', 'sip:1001@acme.example'], ['gateway', `sip:${a.gw}@acme.example`]]);
      expect(dir.gatewayBindings(a.id).map((x) => x.contact)).toEqual(['sip:gw@198.51.100.7:5060']);
      const events = (await store.outbox.list(a.id)).items;
      expect(events.map((e) => e.type)).toEqual(['gateway.registered']);
      expect(events[0].data).toMatchObject({ contact: 'sip:gw@198.51.100.7:5060', source: 'udp:198.51.100.7:5060', userAgent: 'TestGW/1.0' });
      const aliceId = dir.agentByExtension(a.id, '1001')?.id ?? '';
      expect(dir.agentState(a.id, aliceId)).toBe('available');
      dir.agentCallStarted(a.id, aliceId);
      expect(dir.agentState(a.id, aliceId)).toBe('busy');
      dir.agentCallEnded(a.id, aliceId);
      expect(dir.agentState(a.id, aliceId)).toBe('available');
      expect(dir.agentState(a.id, dir.agentByExtension(a.id, '1002')?.id ?? '')).toBe('offline');
    } finally {
      reg.close();
      await dir.close();
    }
  });

  it("never lets tenant A's gateway or agents register into tenant B", async () => {
    const { store, dir, a, b } = await fixture(await h.open());
    const reg = registrarOver(dir);
    try {
      // A's gateway account, presented in B's realm: no such user there
      const intoB = await registerAs(reg, GW_A, { ruri: 'sip:bolt.example', to: `sip:${a.gw}@bolt.example`, contact: 'sip:gw@198.51.100.7', username: a.gw, password: a.gwPassword });
      expect(intoB.status).not.toBe(200);
      // B's AOR in the To, A's domain in the Request-URI: the AOR is not in the realm (404)
      const crossAor = await registerAs(reg, GW_A, { ruri: 'sip:acme.example', to: `sip:${b.gw}@bolt.example`, contact: 'sip:gw@198.51.100.7', username: a.gw, password: a.gwPassword });
      expect(crossAor.status).toBe(404);
      // A's agent 1001 with Bob's password (B's 1001) in A's realm: wrong password
      const wrongPw = await registerAs(reg, GW_B, { ruri: 'sip:acme.example', to: 'sip:1001@acme.example', contact: 'sip:1001@203.0.113.9:5070', username: '1001', password: 'bob-password' });
      expect(wrongPw.status).not.toBe(200);
      // an agent registering a colleague's AOR
      const other = await registerAs(reg, GW_B, { ruri: 'sip:acme.example', to: 'sip:1002@acme.example', contact: 'sip:x@203.0.113.9:5070', username: '1001', password: 'alice-password' });
      expect(other.status).toBe(403);
      await dir.flush();
      expect(await store.registrations.byTenant(b.id)).toEqual([]);
      expect(await store.registrations.byTenant(a.id)).toEqual([]);
      expect(dir.aors()).toEqual([]);
    } finally {
      reg.close();
      await dir.close();
    }
  });

  it('resolves inbound calls by called identity: 404 unknown, 403 disabled, gateway source only for its own tenant', async () => {
    const { store, dir, a, b } = await fixture(await h.open());
    const reg = registrarOver(dir);
    try {
      expect((await registerAs(reg, GW_A, { ruri: 'sip:acme.example', to: `sip:${a.gw}@acme.example`, contact: 'sip:gw@198.51.100.7:5060', username: a.gw, password: a.gwPassword })).status).toBe(200);
      expect((await registerAs(reg, GW_B, { ruri: 'sip:bolt.example', to: `sip:${b.gw}@bolt.example`, contact: 'sip:gw@203.0.113.9:5070', username: b.gw, password: b.gwPassword })).status).toBe(200);

      const ok = dir.resolveInbound('sip:021-8888-6666@ACME.example;user=phone', '+86 138 0000 1111', GW_A);
      expect(ok).toMatchObject({ ok: true, calledIdentity: '02188886666@acme.example', customer: '+8613800001111', fromGateway: true, gateway: { username: a.gw, realm: 'acme.example' }, flow: null });
      if (ok.ok) expect(ok.tenant.id).toBe(a.id);
      expect(dir.resolveInbound({ user: '02188886666', host: 'acme.example' }, 'anonymous', GW_A)).toMatchObject({ ok: true, customer: null });

      // A's gateway calling B's number: routed to B (the number is B's) but not trusted as B's gateway
      const cross = dir.resolveInbound('02177775555@bolt.example', '123', GW_A);
      expect(cross).toMatchObject({ ok: true, fromGateway: false, gateway: { username: b.gw, realm: 'bolt.example' } });
      if (cross.ok) expect(cross.tenant.id).toBe(b.id);
      // A's number at B's domain does not exist
      expect(dir.resolveInbound('02188886666@bolt.example', '123', GW_A)).toEqual({ ok: false, status: 404, reason: 'unknown-called-identity', tenantId: null });
      expect(dir.resolveInbound('alice@acme.example', '123', GW_A)).toMatchObject({ ok: false, status: 404, reason: 'not-a-called-identity' });
      // same address, another UDP port: not the registered flow
      expect(dir.resolveInbound('02188886666@acme.example', '1', { ...GW_A, port: 5099 })).toMatchObject({ ok: true, fromGateway: false });

      await store.telephony.disable(a.id);
      expect(dir.resolveInbound('02188886666@acme.example', '1', GW_A)).toMatchObject({ ok: true }); // cache not told yet
      await dir.publishTenantChange(a.id);
      expect(dir.resolveInbound('02188886666@acme.example', '1', GW_A)).toEqual({ ok: false, status: 403, reason: 'integration-disabled', tenantId: a.id });
      expect(dir.ha1(a.gw, 'acme.example', 'MD5')).toBeUndefined();

      await store.flows.save(b.id, 'inbound', { start: 'hello', nodes: { hello: { kind: 'hangup' } } });
      await store.numbers.add(b.id, '400 800 1234');
      await dir.publishTenantChange(b.id);
      const withFlow = dir.resolveInbound('4008001234@bolt.example', '1', GW_B);
      expect(withFlow).toMatchObject({ ok: true, fromGateway: true, flow: { document: { start: 'hello' } } });

      await store.tenants.delete(b.id);
      await dir.publishTenantChange(b.id);
      expect(dir.realmFor('bolt.example')).toBeUndefined();
      expect(dir.resolveInbound('02177775555@bolt.example', '1', GW_B)).toMatchObject({ ok: false, status: 404 });
      expect(dir.aors().some((x) => x.endsWith('@bolt.example'))).toBe(false);
    } finally {
      reg.close();
      await dir.close();
    }
  });

  it('restores bindings from the store after a restart, and records unregistration as an event', async () => {
    const store = await h.open();
    const { dir, a } = await fixture(store);
    const reg = registrarOver(dir);
    const contact = 'sip:gw@198.51.100.7:5060';
    expect((await registerAs(reg, GW_A, { ruri: 'sip:acme.example', to: `sip:${a.gw}@acme.example`, contact, username: a.gw, password: a.gwPassword })).status).toBe(200);
    reg.close();
    await dir.close();

    const dir2 = await TenantDirectory.open(store);
    expect(dir2.gatewayBindings(a.id).map((x) => x.contact)).toEqual([contact]);
    expect(dir2.resolveInbound('02188886666@acme.example', '1', GW_A)).toMatchObject({ ok: true, fromGateway: true });
    const aor = `sip:${a.gw}@acme.example`;
    dir2.put(aor, []);
    await dir2.flush();
    expect(await store.registrations.get(aor)).toEqual([]);
    expect((await store.outbox.list(a.id)).items.map((e) => e.type)).toEqual(['gateway.registered', 'gateway.unregistered']);
    await dir2.close();
  });

  it('with awaitBindingWrites, a failed database write fails the put and rolls the cache back', async () => {
    const store = await h.open({ migrate: true });
    const { a } = await fixture(store);
    const dir = await TenantDirectory.open(store, { awaitBindingWrites: true });
    const aor = `sip:${a.gw}@acme.example`;
    const b: Binding = {
      aor, contact: 'sip:gw@198.51.100.7', expiresAt: Date.now() + 60_000, q: undefined, callId: 'x', cseq: 1, source: GW_A, localSocket: undefined,
      userAgent: undefined, registeredAt: Date.now(), updatedAt: Date.now(), instanceId: undefined, regId: undefined, authUser: a.gw, nat: false,
      reachable: true, keepaliveFailures: 0, lastKeepalive: undefined,
    };
    await dir.put(aor, [b]);
    expect((await store.registrations.get(aor)).map((x) => x.contact)).toEqual([b.contact]);
    await store.close();
    await expect(dir.put(aor, [b, { ...b, contact: 'sip:gw2@198.51.100.7' }])).rejects.toThrow();
    expect(dir.get(aor).map((x) => x.contact)).toEqual([b.contact]);
    expect(() => dir.put('sip:x@unknown.example', [])).toThrow(TypeError);
    await dir.close();
  });

  if (backend === 'postgres') {
    it('keeps two nodes coherent through LISTEN/NOTIFY: tenant changes and bindings made on one are seen on the other', async () => {
      const opts = await h.freshOptions();
      const store1 = await h.open(opts);
      const store2 = await h.open({ ...opts, migrate: false });
      const { dir: node1, a } = await fixture(store1);
      const node2 = await TenantDirectory.open(store2);
      await node2.listen();
      try {
        await store1.numbers.add(a.id, '800');
        await node1.publishTenantChange(a.id);
        await until(() => node2.resolveInbound('800@acme.example', '1', GW_A).ok);
        const reg = registrarOver(node1);
        expect((await registerAs(reg, GW_A, { ruri: 'sip:acme.example', to: `sip:${a.gw}@acme.example`, contact: 'sip:gw@198.51.100.7:5060', username: a.gw, password: a.gwPassword })).status).toBe(200);
        reg.close();
        await node1.flush();
        await until(() => node2.gatewayBindings(a.id).length === 1);
        expect(node2.resolveInbound('800@acme.example', '1', GW_A)).toMatchObject({ ok: true, fromGateway: true });
      } finally {
        await node1.close();
        await node2.close();
      }
    });
  }
});

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
