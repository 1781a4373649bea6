// Example tests of the registrar, one per rule of RFC 3261 §10.3 (plus §10.2, §20.10, §20.19, §20.23, RFC 3581 / RFC 5626 NAT flows, throttling).
import { afterEach, describe, expect, it } from 'vitest';
import { AuthThrottle, DigestAuthenticator, parseChallenge } from '../auth/index.ts';
import { parseDate, SipResponse } from '../message/index.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import type { Binding } from './binding.ts';
import { Registrar, type RegistrarOptions, type UnregisterReason } from './registrar.ts';
import { type BindingStore, InMemoryBindingStore } from './store.ts';
import {
  answer,
  AsyncStore,
  contactExpires,
  register,
  registerAuthenticated,
  setup,
  SOURCE,
  sync,
  twoTenants,
} from './test-helpers.ts';

const open: Array<{ registrar: Registrar; scheduler: FakeScheduler }> = [];

function make<S extends BindingStore = InMemoryBindingStore>(options: Partial<RegistrarOptions> = {}, store?: S) {
  const s = setup<S>(options, store);
  open.push(s);
  return s;
}

afterEach(() => {
  for (const { registrar, scheduler } of open.splice(0)) {
    registrar.close();
    expect(scheduler.pending).toBe(0);
  }
});

const C1 = '<sip:alice@192.168.1.20:5060>';
const C2 = '<sip:alice@192.168.1.21:5062>';

describe('authentication (RFC 3261 §10.3 step 3, §22.4)', () => {
  it('challenges a REGISTER without credentials with 401 in the tenant realm, then accepts the digest answer (RFC 3261 §10.3 step 3, §22.2)', () => {
    const { registrar, store } = make();
    const req = register({ contacts: [C1], expires: 600 });
    const r1 = sync(registrar.handle(req, SOURCE));
    expect(r1.status).toBe(401);
    const challenges = r1.wwwAuthenticate().map((h) => parseChallenge(h));
    expect(challenges.map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
    expect(challenges.every((c) => c.realm === 'a.example')).toBe(true);
    expect(challenges[0].stale).toBeUndefined();
    expect(store.aors()).toEqual([]);

    const req2 = register({ contacts: [C1], expires: 600, cseq: 2, authorization: answer(r1, req, 'alice', 'pw-alice') });
    const r2 = sync(registrar.handle(req2, SOURCE));
    expect(r2.status).toBe(200);
    expect(contactExpires(r2)).toEqual(new Map([['sip:alice@192.168.1.20:5060', 600]]));
    const [b] = sync(registrar.bindings('sip:alice@a.example'));
    expect(b.authUser).toBe('alice');
    expect(b.cseq).toBe(2);
    expect(registrar.stats()).toMatchObject({ challenged: 1, ok: 1, authFailures: 0 });
  });

  it('accepts an MD5 answer too (RFC 3261 §22.4, RFC 8760 §2.4 offers both)', () => {
    const { registrar } = make();
    const req = register({ contacts: [C1] });
    const r1 = sync(registrar.handle(req, SOURCE));
    const md5 = r1.wwwAuthenticate().find((h) => parseChallenge(h).algorithm === 'MD5');
    expect(md5).toBeDefined();
    const only = new SipResponse({ status: 401, headers: [['WWW-Authenticate', md5 as string]] });
    const r2 = sync(registrar.handle(register({ contacts: [C1], cseq: 2, authorization: answer(only, req, 'alice', 'pw-alice') }), SOURCE));
    expect(r2.status).toBe(200);
  });

  it('answers an expired nonce with 401 stale=true and does not count it as a failure (RFC 7616 §3.3, RFC 3261 §22.4)', () => {
    const scheduler = new FakeScheduler();
    const epochAtZero = 1_700_000_000_000;
    const authenticator = new DigestAuthenticator({ nonceLifetimeSeconds: 30, clock: { now: () => epochAtZero + scheduler.now() } });
    const registrar = new Registrar({ scheduler, credentials: twoTenants(), authenticator, epochAtZero }, { onError: () => {} });
    open.push({ registrar, scheduler });
    const req = register({ contacts: [C1] });
    const r1 = sync(registrar.handle(req, SOURCE));
    const auth = answer(r1, req, 'alice', 'pw-alice');
    scheduler.advance(31_000);
    const r2 = sync(registrar.handle(register({ contacts: [C1], cseq: 2, authorization: auth }), SOURCE));
    expect(r2.status).toBe(401);
    expect(r2.wwwAuthenticate().every((h) => parseChallenge(h).stale === true)).toBe(true);
    expect(registrar.stats()).toMatchObject({ staleNonces: 1, authFailures: 0 });
    const r3 = sync(registrar.handle(register({ contacts: [C1], cseq: 3, authorization: answer(r2, req, 'alice', 'pw-alice') }), SOURCE));
    expect(r3.status).toBe(200);
  });

  it('refuses a wrong password with a new 401 and counts the failure (RFC 3261 §22.4, DESIGN.md §6)', () => {
    const { registrar, store } = make();
    const req = register({ contacts: [C1] });
    const r1 = sync(registrar.handle(req, SOURCE));
    const r2 = sync(registrar.handle(register({ contacts: [C1], cseq: 2, authorization: answer(r1, req, 'alice', 'wrong') }), SOURCE));
    expect(r2.status).toBe(401);
    expect(registrar.stats().authFailures).toBe(1);
    expect(store.aors()).toEqual([]);
  });

  it('answers malformed credentials with 400 and counts them', () => {
    const { registrar } = make();
    const r = sync(registrar.handle(register({ contacts: [C1], authorization: 'Digest username=' }), SOURCE));
    expect(r.status).toBe(400);
    expect(registrar.stats().authFailures).toBe(1);
  });

  it('bans a source after repeated failures: 403 even with the right password, other sources unaffected, ban ends (RFC 3261 §26.3.2.4, DESIGN.md §6)', () => {
    const throttle = new AuthThrottle({ maxFailures: 3, banMs: 60_000 });
    const scheduler = new FakeScheduler();
    const registrar = new Registrar({ scheduler, credentials: twoTenants(), throttle, epochAtZero: 0 }, { onError: () => {} });
    open.push({ registrar, scheduler });
    const req = register({ contacts: [C1] });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ch = sync(registrar.handle(req, SOURCE));
      statuses.push(sync(registrar.handle(register({ contacts: [C1], cseq: 2 + i, authorization: answer(ch, req, 'alice', `guess${i}`) }), SOURCE)).status);
    }
    expect(statuses).toEqual([401, 401, 403]);
    expect(registrar.stats()).toMatchObject({ authFailures: 3, bans: 1 });

    // Banned: refused before any digest work, even with the right password.
    const refused = sync(registrar.handle(register({ contacts: [C1], cseq: 10 }), SOURCE));
    expect(refused.status).toBe(403);
    expect(refused.wwwAuthenticate()).toEqual([]);
    expect(registrar.stats().bannedRefusals).toBe(1);

    // Another source (another address) still registers.
    const other = { ...SOURCE, address: '203.0.113.9' };
    const ch = sync(registrar.handle(req, other));
    expect(sync(registrar.handle(register({ contacts: [C1], cseq: 20, authorization: answer(ch, req, 'alice', 'pw-alice') }), other)).status).toBe(200);

    // Same address, other port: still banned (the key is the IP).
    expect(sync(registrar.handle(req, { ...SOURCE, port: 1234 })).status).toBe(403);

    scheduler.advance(60_000);
    expect(sync(registrar.handle(req, SOURCE)).status).toBe(401);
  });

  it('does not count the first, credential-less request as a failure', () => {
    const { registrar } = make();
    for (let i = 0; i < 20; i++) expect(sync(registrar.handle(register({ contacts: [C1], cseq: i + 1 }), SOURCE)).status).toBe(401);
    expect(registrar.stats().authFailures).toBe(0);
  });
});

describe('domains and tenant isolation (RFC 3261 §10.3 steps 1, 4 and 5)', () => {
  it('answers 404 for a Request-URI domain we do not serve (RFC 3261 §10.3 step 1)', () => {
    const { registrar } = make();
    const r = sync(registrar.handle(register({ domain: 'nowhere.example', contacts: [C1] }), SOURCE));
    expect(r.status).toBe(404);
    expect(r.wwwAuthenticate()).toEqual([]);
  });

  it('answers 416 for a non-SIP Request-URI (RFC 3261 §21.4.13)', () => {
    const { registrar } = make();
    expect(sync(registrar.handle(register({ ruri: 'tel:+15551234', contacts: [C1] }), SOURCE)).status).toBe(416);
  });

  it('a user of domain A cannot register an AOR of domain B: 404 (RFC 3261 §10.3 step 5)', async () => {
    const { registrar, store } = make();
    const r = await registerAuthenticated(registrar, { domain: 'a.example', toHost: 'b.example', user: 'alice', contacts: [C1] }, 'alice', 'pw-alice');
    expect(r.status).toBe(404);
    expect(store.aors()).toEqual([]);
  });

  it("a user of domain A cannot authenticate in domain B's realm (RFC 3261 §10.3 step 3)", async () => {
    const { registrar, store } = make();
    const r = await registerAuthenticated(registrar, { domain: 'b.example', user: 'alice', contacts: [C1] }, 'alice', 'pw-alice');
    expect(r.status).toBe(401);
    expect(registrar.stats().authFailures).toBe(1);
    expect(store.aors()).toEqual([]);
  });

  it("an authenticated user cannot register another user's AOR in its own domain: 403 (RFC 3261 §10.3 step 4)", async () => {
    const { registrar, store } = make();
    const r = await registerAuthenticated(registrar, { user: 'bob', contacts: [C1] }, 'alice', 'pw-alice');
    expect(r.status).toBe(403);
    expect(registrar.stats()).toMatchObject({ forbidden: 1, authFailures: 1 });
    expect(store.aors()).toEqual([]);
  });

  it("a gateway of tenant B cannot register tenant A's gateway AOR: 403 (RFC 3261 §10.3 step 4)", async () => {
    const { registrar } = make();
    // gw-b is unknown in realm a.example: the digest fails and nothing is stored.
    const r = await registerAuthenticated(registrar, { user: 'gw-a', contacts: [C1] }, 'gw-b', 'pw-gw-b');
    expect(r.status).toBe(401);
  });

  it('an alias domain of the same tenant is accepted and maps to the canonical AOR of the To URI (RFC 3261 §10.3 step 5)', async () => {
    const { registrar } = make();
    const r = await registerAuthenticated(registrar, { domain: 'alias.a.example', toHost: 'A.Example', contacts: [C1] }, 'alice', 'pw-alice');
    expect(r.status).toBe(200);
    expect(sync(registrar.bindings('sip:alice@a.example'))).toHaveLength(1);
  });
});

describe('bindings (RFC 3261 §10.3 steps 6–8)', () => {
  const noAuth = { requireAuth: false } as const;

  it('stores a binding from To, canonical AOR without params or port, and lists it in the 200 with expires and Date (RFC 3261 §10.3 steps 5 and 8)', () => {
    const { registrar, store } = make(noAuth);
    const req = register({ contacts: [`${C1};expires=120`], userAgent: 'Grandstream GXW4216' });
    req.set('To', '<sip:alice@A.EXAMPLE:5060;transport=udp>');
    const res = sync(registrar.handle(req, SOURCE));
    expect(res.status).toBe(200);
    expect(store.aors()).toEqual(['sip:alice@a.example']);
    expect(contactExpires(res)).toEqual(new Map([['sip:alice@192.168.1.20:5060', 120]]));
    const date = res.get('Date');
    expect(date).toBeDefined();
    expect(parseDate(date as string).getTime()).toBe(1_700_000_000_000);
    expect(res.to().tag).toBeDefined();
    const [b] = store.get('sip:alice@a.example');
    expect(b).toMatchObject({
      aor: 'sip:alice@a.example',
      contact: 'sip:alice@192.168.1.20:5060',
      expiresAt: 1_700_000_000_000 + 120_000,
      callId: 'call-1@192.0.2.10',
      cseq: 1,
      userAgent: 'Grandstream GXW4216',
      registeredAt: 1_700_000_000_000,
      reachable: true,
      nat: true,
      authUser: undefined,
    });
  });

  it('takes expires from the contact parameter, else the Expires header, else the default (RFC 3261 §10.3 step 7, §20.19)', () => {
    const { registrar } = make(noAuth);
    const res = sync(
      registrar.handle(register({ contacts: [`${C1};expires=300`, C2], expires: 900 }), SOURCE),
    );
    expect(contactExpires(res)).toEqual(
      new Map([
        ['sip:alice@192.168.1.20:5060', 300],
        ['sip:alice@192.168.1.21:5062', 900],
      ]),
    );
    const res2 = sync(registrar.handle(register({ user: 'bob', contacts: ['<sip:bob@192.0.2.5>'] }), SOURCE));
    expect(contactExpires(res2).get('sip:bob@192.0.2.5')).toBe(3600);
  });

  it('answers 423 Interval Too Brief with Min-Expires for 0 < expires < minExpires, storing nothing (RFC 3261 §10.3 step 7, §20.23)', () => {
    const { registrar, store } = make(noAuth);
    const r1 = sync(registrar.handle(register({ contacts: [C1], expires: 30 }), SOURCE));
    expect(r1.status).toBe(423);
    expect(r1.get('Min-Expires')).toBe('60');
    const r2 = sync(registrar.handle(register({ contacts: [C2, `${C1};expires=59`], cseq: 2 }), SOURCE));
    expect(r2.status).toBe(423);
    expect(store.aors()).toEqual([]);
    expect(sync(registrar.handle(register({ contacts: [C1], expires: 60, cseq: 3 }), SOURCE)).status).toBe(200);
  });

  it('shortens an expiration above maxExpires (RFC 3261 §10.3 step 7 "MAY choose an expiration less than")', () => {
    const { registrar } = make(noAuth);
    const res = sync(registrar.handle(register({ contacts: [C1], expires: 86400 }), SOURCE));
    expect(contactExpires(res).get('sip:alice@192.168.1.20:5060')).toBe(3600);
  });

  it('keeps several contacts per AOR and returns all of them; a REGISTER without Contact only fetches (RFC 3261 §10.2.1.2, §10.2.3)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1], callId: 'x1' }), SOURCE));
    const res = sync(registrar.handle(register({ contacts: [C2], callId: 'x2' }), SOURCE));
    expect([...contactExpires(res).keys()].sort()).toEqual(['sip:alice@192.168.1.20:5060', 'sip:alice@192.168.1.21:5062']);
    const before = store.get('sip:alice@a.example');
    const fetch = sync(registrar.handle(register({ callId: 'x3' }), SOURCE));
    expect(fetch.status).toBe(200);
    expect(fetch.contacts()).toHaveLength(2);
    expect(store.get('sip:alice@a.example')).toBe(before);
  });

  it('reports remaining seconds, not the original interval, in later 200s (RFC 3261 §10.3 step 8)', () => {
    const { registrar, scheduler } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1], expires: 600, callId: 'x1' }), SOURCE));
    scheduler.advance(100_500);
    const fetch = sync(registrar.handle(register({ callId: 'x2' }), SOURCE));
    expect(contactExpires(fetch).get('sip:alice@192.168.1.20:5060')).toBe(500);
  });

  it('matches contacts by URI comparison, so a refresh with other parameter case updates the same binding (RFC 3261 §10.3 step 7, §19.1.4)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: ['<sip:alice@GW.example;transport=UDP>'], cseq: 1 }), SOURCE));
    sync(registrar.handle(register({ contacts: ['<sip:alice@gw.example;transport=udp>'], cseq: 2 }), SOURCE));
    expect(store.get('sip:alice@a.example')).toHaveLength(1);
  });

  it('removes a binding given expires=0 (RFC 3261 §10.2.2)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1, C2] }), SOURCE));
    const res = sync(registrar.handle(register({ contacts: [`${C1};expires=0`], cseq: 2 }), SOURCE));
    expect(res.status).toBe(200);
    expect([...contactExpires(res).keys()]).toEqual(['sip:alice@192.168.1.21:5062']);
    expect(store.get('sip:alice@a.example').map((b) => b.contact)).toEqual(['sip:alice@192.168.1.21:5062']);
  });

  it('removes all bindings for Contact: * with Expires: 0 (RFC 3261 §10.2.2, §10.3 step 6)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1], callId: 'p1' }), SOURCE));
    sync(registrar.handle(register({ contacts: [C2], callId: 'p2' }), SOURCE));
    const res = sync(registrar.handle(register({ contacts: ['*'], expires: 0, callId: 'p3' }), SOURCE));
    expect(res.status).toBe(200);
    expect(res.contacts()).toEqual([]);
    expect(store.aors()).toEqual([]);
  });

  it('refuses * without Expires: 0, or with other contacts, with 400 and changes nothing (RFC 3261 §10.3 step 6)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1] }), SOURCE));
    const before = store.get('sip:alice@a.example');
    for (const init of [
      { contacts: ['*'] },
      { contacts: ['*'], expires: 60 },
      { contacts: ['*', C2], expires: 0 },
      { contacts: [`*, ${C2}`], expires: 0 },
    ]) {
      expect(sync(registrar.handle(register({ ...init, cseq: 5 }), SOURCE)).status).toBe(400);
    }
    expect(store.get('sip:alice@a.example')).toBe(before);
  });

  it('refuses a REGISTER with the same Call-ID and a CSeq not higher: 500, nothing applied (RFC 3261 §10.3 step 7)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1], expires: 600, cseq: 5 }), SOURCE));
    const before = store.get('sip:alice@a.example');
    for (const cseq of [5, 4]) {
      const r = sync(registrar.handle(register({ contacts: [C1, C2], expires: 0, cseq }), SOURCE));
      expect(r.status).toBe(500);
      expect(r.get('Retry-After')).toBeUndefined();
    }
    expect(store.get('sip:alice@a.example')).toBe(before);
    expect(registrar.stats().outOfOrder).toBe(2);
    // A wildcard removal is ordered the same way (RFC 3261 §10.3 step 6).
    expect(sync(registrar.handle(register({ contacts: ['*'], expires: 0, cseq: 5 }), SOURCE)).status).toBe(500);
    expect(store.get('sip:alice@a.example')).toBe(before);
    // Higher CSeq: applied.
    expect(sync(registrar.handle(register({ contacts: [C1], expires: 0, cseq: 6 }), SOURCE)).status).toBe(200);
    expect(store.aors()).toEqual([]);
  });

  it('accepts a lower CSeq under another Call-ID (a rebooted device) and replaces the binding (RFC 3261 §10.3 step 7)', () => {
    const { registrar, store } = make(noAuth);
    sync(registrar.handle(register({ contacts: [C1], cseq: 900, callId: 'before-reboot' }), SOURCE));
    const r = sync(registrar.handle(register({ contacts: [C1], cseq: 1, callId: 'after-reboot' }), SOURCE));
    expect(r.status).toBe(200);
    expect(store.get('sip:alice@a.example')).toMatchObject([{ callId: 'after-reboot', cseq: 1 }]);
  });

  it('answers 400 for a malformed Contact or Expires (RFC 3261 §20.10, §20.19)', () => {
    const { registrar, store } = make(noAuth);
    expect(sync(registrar.handle(register({ contacts: ['<sip:alice@host'] }), SOURCE)).status).toBe(400);
    expect(sync(registrar.handle(register({ contacts: [C1], expires: 'soon' }), SOURCE)).status).toBe(400);
    expect(sync(registrar.handle(register({ contacts: ['<mailto:alice@a.example>'] }), SOURCE)).status).toBe(400);
    expect(store.aors()).toEqual([]);
  });

  it('keeps at most maxContactsPerAor bindings, evicting the least recently updated ones', () => {
    const { registrar, store } = make({ ...noAuth, maxContactsPerAor: 2 });
    const evicted: Array<[string, UnregisterReason]> = [];
    registrar.on('unregistered', (b, reason) => evicted.push([b.contact, reason]));
    sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.1>'], callId: 'e1' }), SOURCE));
    sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.2>'], callId: 'e2' }), SOURCE));
    sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.1>'], callId: 'e1', cseq: 2 }), SOURCE)); // refresh .1
    const r = sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.3>'], callId: 'e3' }), SOURCE));
    expect(r.status).toBe(200);
    expect(store.get('sip:alice@a.example').map((b) => b.contact)).toEqual(['sip:a@192.0.2.1', 'sip:a@192.0.2.3']);
    expect(evicted).toEqual([['sip:a@192.0.2.2', 'evicted']]);
  });

  it("with overflow 'reject', refuses a REGISTER that would exceed maxContactsPerAor: 403, nothing changed", () => {
    const { registrar, store } = make({ ...noAuth, maxContactsPerAor: 2, overflow: 'reject' });
    sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.1>', '<sip:a@192.0.2.2>'] }), SOURCE));
    const before = store.get('sip:alice@a.example');
    const r = sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.3>'], cseq: 2 }), SOURCE));
    expect(r.status).toBe(403);
    expect(store.get('sip:alice@a.example')).toBe(before);
    // Removing one and adding one in the same request fits.
    const ok = sync(registrar.handle(register({ contacts: ['<sip:a@192.0.2.1>;expires=0', '<sip:a@192.0.2.3>'], cseq: 3 }), SOURCE));
    expect(ok.status).toBe(200);
    expect(store.get('sip:alice@a.example').map((b) => b.contact)).toEqual(['sip:a@192.0.2.2', 'sip:a@192.0.2.3']);
  });

  it('replaces the binding with the same +sip.instance and reg-id even when the Contact URI changed (RFC 5626 §6)', () => {
    const { registrar, store } = make(noAuth);
    const inst = '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"';
    sync(registrar.handle(register({ contacts: [`<sip:alice@192.168.1.20:5060>;+sip.instance=${inst};reg-id=1`], callId: 'i1' }), SOURCE));
    const r = sync(
      registrar.handle(register({ contacts: [`<sip:alice@192.168.1.20:5072>;+sip.instance=${inst};reg-id=1`], callId: 'i2' }), { ...SOURCE, port: 40002 }),
    );
    expect(r.status).toBe(200);
    const list = store.get('sip:alice@a.example');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ contact: 'sip:alice@192.168.1.20:5072', instanceId: '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>', regId: 1 });
    expect(r.get('Contact')).toContain('reg-id=1');
    expect(r.get('Contact')).toContain('+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"');
  });
});

describe('events and expiry on the injected clock (RFC 3261 §10.2.1, §10.3)', () => {
  it('emits registered, refreshed and unregistered with the stored bindings', () => {
    const { registrar } = make({ requireAuth: false });
    const log: string[] = [];
    registrar.on('registered', (b) => log.push(`registered ${b.contact}`));
    registrar.on('refreshed', (b, prev) => log.push(`refreshed ${b.contact} ${prev.cseq}->${b.cseq}`));
    registrar.on('unregistered', (b, reason) => log.push(`unregistered ${b.contact} ${reason}`));
    sync(registrar.handle(register({ contacts: [C1], cseq: 1 }), SOURCE));
    sync(registrar.handle(register({ contacts: [C1], cseq: 2 }), SOURCE));
    sync(registrar.handle(register({ contacts: [`${C1};expires=0`], cseq: 3 }), SOURCE));
    expect(log).toEqual([
      'registered sip:alice@192.168.1.20:5060',
      'refreshed sip:alice@192.168.1.20:5060 1->2',
      'unregistered sip:alice@192.168.1.20:5060 request',
    ]);
  });

  it('expires a binding exactly at its expiry time, with one timer for the registrar (RFC 3261 §10.2.1)', () => {
    const { registrar, scheduler, store } = make({ requireAuth: false });
    const expired: Array<[string, number]> = [];
    registrar.on('expired', (b) => expired.push([b.contact, scheduler.now()]));
    sync(registrar.handle(register({ contacts: [`${C1};expires=120`, `${C2};expires=300`] }), SOURCE));
    sync(registrar.handle(register({ user: 'bob', contacts: ['<sip:bob@192.0.2.9>'], expires: 200 }), SOURCE));
    expect(scheduler.pending).toBe(1);
    scheduler.advance(119_999);
    expect(expired).toEqual([]);
    expect(sync(registrar.lookup('sip:alice@a.example'))).toHaveLength(2);
    scheduler.advance(1);
    expect(expired).toEqual([['sip:alice@192.168.1.20:5060', 120_000]]);
    expect(store.get('sip:alice@a.example').map((b) => b.contact)).toEqual(['sip:alice@192.168.1.21:5062']);
    scheduler.advance(180_000);
    expect(expired.map(([, t]) => t)).toEqual([120_000, 200_000, 300_000]);
    expect(store.aors()).toEqual([]);
    expect(scheduler.pending).toBe(0);
    expect(registrar.stats()).toMatchObject({ expired: 3, trackedAors: 0 });
  });

  it('a refresh postpones the expiry (RFC 3261 §10.2.4)', () => {
    const { registrar, scheduler } = make({ requireAuth: false });
    let expiredAt = -1;
    registrar.on('expired', () => (expiredAt = scheduler.now()));
    sync(registrar.handle(register({ contacts: [C1], expires: 120, cseq: 1 }), SOURCE));
    scheduler.advance(100_000);
    sync(registrar.handle(register({ contacts: [C1], expires: 120, cseq: 2 }), SOURCE));
    scheduler.advance(100_000);
    expect(expiredAt).toBe(-1);
    scheduler.advance(20_000);
    expect(expiredAt).toBe(220_000);
  });

  it('a throwing listener is reported and does not break the registration', () => {
    const { registrar, errors } = make({ requireAuth: false });
    registrar.on('registered', () => {
      throw new Error('listener bug');
    });
    expect(sync(registrar.handle(register({ contacts: [C1] }), SOURCE)).status).toBe(200);
    expect(errors).toHaveLength(1);
  });

  it('leaves no timer after close() and answers 503 afterwards', () => {
    const { registrar, scheduler } = make({ requireAuth: false });
    sync(registrar.handle(register({ contacts: [C1] }), SOURCE));
    expect(scheduler.pending).toBe(1);
    registrar.close();
    registrar.close();
    expect(scheduler.pending).toBe(0);
    expect(sync(registrar.handle(register({ contacts: [C1], cseq: 2 }), SOURCE)).status).toBe(503);
  });

  it('restore() tracks bindings already in a persistent store and expires them on time', () => {
    const store = new InMemoryBindingStore();
    const first = make({ requireAuth: false }, store);
    sync(first.registrar.handle(register({ contacts: [C1], expires: 120 }), SOURCE));
    first.registrar.close();
    const second = make({ requireAuth: false }, store);
    let expired = 0;
    second.registrar.on('expired', () => expired++);
    sync(second.registrar.restore());
    expect(second.scheduler.pending).toBe(1);
    second.scheduler.advance(120_000);
    expect(expired).toBe(1);
    expect(store.aors()).toEqual([]);
  });
});

describe('lookup and NAT (RFC 3581, RFC 5626 §5.3, RFC 3261 §16.6)', () => {
  it('orders targets by q, highest first, absent q as 1.0 (RFC 3261 §10.2.1.2, §16.6 step 1)', () => {
    const { registrar } = make({ requireAuth: false });
    sync(
      registrar.handle(
        register({ contacts: ['<sip:a@192.0.2.1>;q=0.1', '<sip:a@192.0.2.2>;q=0.9', '<sip:a@192.0.2.3>', '<sip:a@192.0.2.4>;q=0.5'] }),
        SOURCE,
      ),
    );
    const targets = sync(registrar.lookup('sip:alice@a.example'));
    expect(targets.map((t) => t.requestUri)).toEqual(['sip:a@192.0.2.3', 'sip:a@192.0.2.2', 'sip:a@192.0.2.4', 'sip:a@192.0.2.1']);
    expect(targets.map((t) => t.binding.q)).toEqual([undefined, 0.9, 0.5, 0.1]);
  });

  it('sends to the flow the REGISTER came from, not to the private Contact address (RFC 3581 §4, RFC 5626 §5.3)', () => {
    const { registrar } = make({ requireAuth: false });
    const source = { transport: 'udp' as const, address: '203.0.113.50', port: 61234, localSocket: 'udp4:0.0.0.0:5060' };
    sync(registrar.handle(register({ contacts: ['<sip:gw@10.0.0.5:5060>'] }), source));
    const [t] = sync(registrar.lookup('sip:alice@A.example'));
    expect(t.requestUri).toBe('sip:gw@10.0.0.5:5060');
    expect(t.destination).toEqual({ transport: 'udp', address: '203.0.113.50', port: 61234 });
    expect(t.localSocket).toBe('udp4:0.0.0.0:5060');
    expect(t.contactAddress).toBeUndefined();
    expect(t.binding.nat).toBe(true);
  });

  it('keeps a public Contact address as a fallback when it differs from the flow (a closed TCP connection)', () => {
    const { registrar } = make({ requireAuth: false });
    sync(registrar.handle(register({ contacts: ['<sip:gw@198.51.100.7:5060;transport=tcp>'] }), { transport: 'tcp', address: '198.51.100.7', port: 50123 }));
    const [t] = sync(registrar.lookup('sip:alice@a.example'));
    expect(t.destination).toEqual({ transport: 'tcp', address: '198.51.100.7', port: 50123 });
    expect(t.contactAddress).toEqual({ transport: 'tcp', address: '198.51.100.7', port: 5060 });
    expect(t.binding.nat).toBe(false);
  });

  it('a Contact equal to the source is not NATed', () => {
    const { registrar } = make({ requireAuth: false });
    sync(registrar.handle(register({ contacts: ['<sip:gw@198.51.100.7:40000>'] }), SOURCE));
    const [t] = sync(registrar.lookup('sip:alice@a.example'));
    expect(t.binding.nat).toBe(false);
    expect(t.contactAddress).toBeUndefined();
  });

  it('returns nothing for an unknown or non-SIP AOR', () => {
    const { registrar } = make({ requireAuth: false });
    expect(sync(registrar.lookup('sip:nobody@a.example'))).toEqual([]);
    expect(sync(registrar.lookup('tel:+1555'))).toEqual([]);
    expect(sync(registrar.lookup('not a uri'))).toEqual([]);
  });
});

describe('asynchronous stores', () => {
  it('answers through a Promise and serializes REGISTERs of one AOR, losing no update (RFC 3261 §10.3 step 7 atomic commit)', async () => {
    const store = new AsyncStore();
    const { registrar } = make({ requireAuth: false }, store);
    const pending = [
      registrar.handle(register({ contacts: ['<sip:a@192.0.2.1>'], callId: 'k1' }), SOURCE),
      registrar.handle(register({ contacts: ['<sip:a@192.0.2.2>'], callId: 'k2' }), SOURCE),
      registrar.handle(register({ contacts: ['<sip:a@192.0.2.3>'], callId: 'k3' }), SOURCE),
    ];
    expect(pending.every((p) => p instanceof Promise)).toBe(true);
    const res = await Promise.all(pending);
    expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(res[2].contacts()).toHaveLength(3);
    expect(store.inner.get('sip:alice@a.example')).toHaveLength(3);
  });

  it('answers 500 when the store fails and keeps the previous bindings (RFC 3261 §10.3 step 7)', async () => {
    const store = new AsyncStore();
    const { registrar, errors } = make({ requireAuth: false }, store);
    await registrar.handle(register({ contacts: [C1], cseq: 1 }), SOURCE);
    const before = store.inner.get('sip:alice@a.example');
    store.failNextPut = true;
    const r = await registrar.handle(register({ contacts: [C2], cseq: 2 }), SOURCE);
    expect(r.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(store.inner.get('sip:alice@a.example')).toBe(before);
    // The lock was released: the next request proceeds.
    expect((await registrar.handle(register({ contacts: [C2], cseq: 3 }), SOURCE)).status).toBe(200);
  });

  it('answers 503 when too many requests wait for one AOR', async () => {
    const store = new AsyncStore();
    const { registrar } = make({ requireAuth: false, maxQueuedPerAor: 1 }, store);
    const a = registrar.handle(register({ contacts: [C1], callId: 'q1' }), SOURCE);
    // Let the first request take the lock (it awaits the store inside it).
    await Promise.resolve();
    await Promise.resolve();
    const b = registrar.handle(register({ contacts: [C1], callId: 'q2' }), SOURCE);
    await Promise.resolve();
    await Promise.resolve();
    const c = sync(registrar.handle(register({ contacts: [C1], callId: 'q3' }), SOURCE) as SipResponse);
    expect(c.status).toBe(503);
    expect(c.get('Retry-After')).toBe('5');
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
  });

  it('awaits an asynchronous credential lookup', async () => {
    const credentials = twoTenants();
    const slow = {
      realmFor: async (d: string) => credentials.realmFor(d),
      ha1: async (u: string, r: string, a: 'MD5' | 'SHA-256') => credentials.ha1(u, r, a),
      mayRegister: async (u: string, r: string, aor: { user: string; host: string }) => credentials.mayRegister(u, r, aor),
    };
    const scheduler = new FakeScheduler();
    const registrar = new Registrar({ scheduler, credentials: slow }, { onError: () => {} });
    open.push({ registrar, scheduler });
    const r = await registerAuthenticated(registrar, { contacts: [C1] }, 'alice', 'pw-alice');
    expect(r.status).toBe(200);
    const [b]: Binding[] = await registrar.bindings('sip:alice@a.example');
    expect(b.authUser).toBe('alice');
  });

  it('answers 500 when the credential lookup fails', async () => {
    const scheduler = new FakeScheduler();
    const errors: unknown[] = [];
    const broken = {
      realmFor: async () => {
        throw new Error('tenant db down');
      },
      ha1: () => undefined,
      mayRegister: () => false,
    };
    const registrar = new Registrar({ scheduler, credentials: broken }, { onError: (e) => errors.push(e) });
    open.push({ registrar, scheduler });
    expect((await registrar.handle(register({ contacts: [C1] }), SOURCE)).status).toBe(500);
    expect(errors).toHaveLength(1);
  });
});

describe('argument checks', () => {
  it('throws TypeError for a request that is not a REGISTER, and for bad options', () => {
    const { registrar } = make();
    const req = register();
    req.method = 'INVITE';
    expect(() => registrar.handle(req, SOURCE)).toThrow(TypeError);
    const scheduler = new FakeScheduler();
    const credentials = twoTenants();
    expect(() => new Registrar({ scheduler, credentials }, { minExpires: 100, defaultExpires: 50 })).toThrow(/defaultExpires/);
    expect(() => new Registrar({ scheduler, credentials }, { maxContactsPerAor: 0 })).toThrow(/maxContactsPerAor/);
    expect(() => new Registrar({ scheduler, credentials }, { maxExpires: 10, minExpires: 60 })).toThrow(/maxExpires/);
  });
});
