// The repository suite on both backends (SQLite via node:sqlite, PostgreSQL): migrations from empty, CRUD, uniqueness rules as typed conflicts, tenant isolation, pagination, transactions, outbox deliveries.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { domainToASCII } from 'node:url';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Binding } from '../../engine/sip/registrar/index.ts';
import { computeHa1 } from '../../engine/sip/auth/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { BACKENDS, TABLES, uniqueDomain, useBackend } from '../testing.ts';
import { MIGRATION_NAMES, migrateToEmpty, migrateToLatest, openStore, type Store } from './index.ts';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function expectConflict(p: Promise<unknown>, field: string): Promise<void> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(ConflictError);
  expect((err as ConflictError).field).toBe(field);
  expect((err as ConflictError).status).toBe(409);
}

function binding(aor: string, contact: string, expiresAt: number, over: Partial<Binding> = {}): Binding {
  return {
    aor, contact, expiresAt, q: undefined, callId: 'c1', cseq: 1,
    source: { transport: 'udp', address: '192.0.2.10', port: 5060 }, localSocket: undefined, userAgent: 'TestGW/1.0',
    registeredAt: expiresAt - 3_600_000, updatedAt: expiresAt - 3_600_000, instanceId: undefined, regId: undefined,
    authUser: undefined, nat: false, reachable: true, keepaliveFailures: 0, lastKeepalive: undefined, ...over,
  };
}

describe.each(BACKENDS)('store on %s', (backend) => {
  const h = useBackend(backend);

  it('migrates an empty database to the latest schema, reports nothing to do on reopen, and migrates down and up again', async () => {
    const opts = await h.freshOptions();
    const first = await openStore(opts);
    try {
      expect(first.appliedMigrations).toEqual(MIGRATION_NAMES);
      for (const t of TABLES) {
        const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(first.db);
        expect(Number(r.rows[0].n)).toBe(0);
      }
      await migrateToEmpty(first.db, first.dialect, first.schema);
      await expect(sql`select count(*) from tenants`.execute(first.db)).rejects.toThrow();
      expect(await migrateToLatest(first.db, first.dialect, first.schema)).toEqual(MIGRATION_NAMES);
    } finally {
      if (backend === 'postgres') await first.close();
    }
    if (backend === 'postgres') {
      const again = await openStore(opts);
      expect(again.appliedMigrations).toEqual([]);
      await again.close();
    } else {
      await first.close();
    }
  });

  it('tenants: create, read by id and by any spelling of the domain, update, list with pagination, delete cascades', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: ' Acme Ltd ', domain: 'München-Acme.Example.' });
    expect(t).toMatchObject({ name: 'Acme Ltd', domain: domainToASCII('münchen-acme.example'), settings: {} });
    expect(t.domain).toMatch(/^xn--/);
    expect(t.id).toMatch(/^tn_/);
    expect(await s.tenants.get(t.id)).toEqual(t);
    expect((await s.tenants.getByDomain('MÜNCHEN-acme.example'))?.id).toBe(t.id);
    expect(await s.tenants.getByDomain('not a domain')).toBeUndefined();
    const u = await s.tenants.update(t.id, { name: 'Acme', settings: { recordCalls: true, wrapUpSeconds: 30 } });
    expect(u).toMatchObject({ name: 'Acme', settings: { recordCalls: true, wrapUpSeconds: 30 } });

    const more = [];
    for (let i = 0; i < 4; i++) more.push(await s.tenants.create({ name: `T${i}`, domain: uniqueDomain() }));
    const p1 = await s.tenants.list({ limit: 2 });
    expect(p1.items.map((x) => x.id)).toEqual([t.id, more[0].id]);
    const p2 = await s.tenants.list({ limit: 2, cursor: p1.nextCursor });
    const p3 = await s.tenants.list({ limit: 2, cursor: p2.nextCursor });
    expect([...p2.items, ...p3.items].map((x) => x.id)).toEqual(more.slice(1).map((x) => x.id));
    expect(p3.nextCursor).toBeNull();
    expect((await s.tenants.list({}, more[2].id)).items.map((x) => x.id)).toEqual([more[2].id]);

    await s.numbers.add(t.id, '100');
    await s.agents.create(t.id, { extension: '1001', name: 'Alice', password: 'secret-pass' });
    expect(await s.tenants.delete(t.id)).toBe(true);
    expect(await s.tenants.get(t.id)).toBeUndefined();
    expect(await s.numbers.byCalledIdentity(`100@${t.domain}`)).toBeUndefined();
    expect(await s.tenants.delete(t.id)).toBe(false);
    await expect(s.tenants.update(t.id, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a domain another tenant has, whatever its spelling, as a conflict naming "domain"', async () => {
    const s = await h.open();
    await s.tenants.create({ name: 'A', domain: 'acme.example' });
    await expectConflict(s.tenants.create({ name: 'B', domain: 'ACME.example.' }), 'domain');
    await s.tenants.create({ name: 'C', domain: 'straße.example' });
    await expectConflict(s.tenants.create({ name: 'D', domain: 'xn--strae-oqa.example' }), 'domain');
    const bad = await rejection(s.tenants.create({ name: 'E', domain: '192.0.2.1' }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).field).toBe('domain');
    const badSetting = await rejection(s.tenants.create({ name: 'F', domain: uniqueDomain(), settings: { wrapUpSeconds: -1 } }));
    expect((badSetting as ValidationError).field).toBe('settings.wrapUpSeconds');
  });

  it('numbers: normalised, unique per tenant, called identity unique globally and found by it', async () => {
    const s = await h.open();
    const a = await s.tenants.create({ name: 'A', domain: 'a.example' });
    const b = await s.tenants.create({ name: 'B', domain: 'b.example' });
    const n = await s.numbers.add(a.id, '021-8888 6666');
    expect(n).toMatchObject({ tenantId: a.id, number: '02188886666', calledIdentity: '02188886666@a.example' });
    await expectConflict(s.numbers.add(a.id, '02188886666'), 'number');
    const nb = await s.numbers.add(b.id, '(021) 8888-6666');
    expect(nb.calledIdentity).toBe('02188886666@b.example');
    expect((await s.numbers.byCalledIdentity('02188886666@a.example'))?.tenantId).toBe(a.id);
    expect((await s.numbers.byCalledIdentity('02188886666@b.example'))?.tenantId).toBe(b.id);
    await expect(s.numbers.add('tn_nope', '123')).rejects.toBeInstanceOf(NotFoundError);
    const bad = await rejection(s.numbers.add(a.id, '12ab'));
    expect((bad as ValidationError).field).toBe('number');
    // isolation: tenant B cannot read or delete tenant A's number by id
    expect(await s.numbers.get(b.id, n.id)).toBeUndefined();
    expect(await s.numbers.remove(b.id, n.id)).toBe(false);
    expect((await s.numbers.list(b.id)).items.map((x) => x.id)).toEqual([nb.id]);
    expect(await s.numbers.remove(a.id, n.id)).toBe(true);
    expect(await s.numbers.byCalledIdentity('02188886666@a.example')).toBeUndefined();
  });

  it('agents: HA1 hashes only (RFC 7616 §3.4.2, realm = domain), extension unique per tenant, password change rehashes', async () => {
    const s = await h.open();
    const a = await s.tenants.create({ name: 'A', domain: 'agents-a.example' });
    const b = await s.tenants.create({ name: 'B', domain: 'agents-b.example' });
    const alice = await s.agents.create(a.id, { extension: 'Alice', name: 'Alice', password: 'wonderland' });
    expect(alice).toEqual({ id: alice.id, tenantId: a.id, extension: 'alice', name: 'Alice', away: false, createdAt: alice.createdAt, updatedAt: alice.updatedAt });
    expect(JSON.stringify(alice)).not.toContain('wonderland');
    const [stored] = await s.agents.allWithCredentials(a.id);
    expect(stored.ha1).toEqual({
      md5: computeHa1('MD5', 'alice', 'agents-a.example', 'wonderland'),
      sha256: computeHa1('SHA-256', 'alice', 'agents-a.example', 'wonderland'),
    });
    const raw = await s.db.selectFrom('agents').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain('wonderland');
    await expectConflict(s.agents.create(a.id, { extension: 'ALICE', name: 'Other', password: 'password1' }), 'extension');
    await s.agents.create(b.id, { extension: 'alice', name: 'Alice B', password: 'password1' });
    const upd = await s.agents.update(a.id, alice.id, { password: 'new-password', away: true });
    expect(upd.away).toBe(true);
    expect((await s.agents.allWithCredentials(a.id))[0].ha1.md5).toBe(computeHa1('MD5', 'alice', 'agents-a.example', 'new-password'));
    await expect(s.agents.update(b.id, alice.id, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await s.agents.getByExtension(a.id, 'ALICE'))?.id).toBe(alice.id);
    const bad = await rejection(s.agents.create(a.id, { extension: 'gw-abc', name: 'x', password: 'password1' }));
    expect((bad as ValidationError).field).toBe('extension');
    const badPw = await rejection(s.agents.create(a.id, { extension: 'bob', name: 'Bob', password: 'short' }));
    expect((badPw as ValidationError).field).toBe('password');
  });

  it('telephony: enabling issues a gateway account once (password shown once, HA1 stored), rotation, disabling', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'tel.example' });
    expect(await s.telephony.get(t.id)).toMatchObject({ enabled: false, gatewayUsername: null });
    const first = await s.telephony.enable(t.id);
    expect(first.telephony.enabled).toBe(true);
    expect(first.telephony.gatewayUsername).toMatch(/^gw-[a-z0-9]{10}$/);
    expect(first.password).toHaveLength(24);
    const withCred = await s.telephony.getWithCredentials(t.id);
    expect(withCred.gatewayHa1?.sha256).toBe(computeHa1('SHA-256', first.telephony.gatewayUsername ?? '', 'tel.example', first.password ?? ''));
    const again = await s.telephony.enable(t.id);
    expect(again.password).toBeUndefined();
    const rotated = await s.telephony.enable(t.id, { rotatePassword: true });
    expect(rotated.telephony.gatewayUsername).toBe(first.telephony.gatewayUsername);
    expect(rotated.password).not.toBe(first.password);
    expect((await s.telephony.disable(t.id)).enabled).toBe(false);
    await expect(s.telephony.enable('tn_missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('registrations: an AOR set is replaced atomically (RFC 3261 §10.3 step 7); tenant listing skips expired bindings', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'reg.example' });
    const now = Date.now();
    const aor = 'sip:gw-abcdefghij@reg.example';
    await s.registrations.put(aor, { tenantId: t.id, kind: 'gateway' }, [binding(aor, 'sip:gw@192.0.2.10:5060', now + 60_000), binding(aor, 'sip:gw@192.0.2.11:5060', now - 1)]);
    expect((await s.registrations.get(aor)).map((b) => b.contact).sort()).toEqual(['sip:gw@192.0.2.10:5060', 'sip:gw@192.0.2.11:5060']);
    const live = await s.registrations.byTenant(t.id, { kind: 'gateway', now });
    expect(live.map((x) => x.binding.contact)).toEqual(['sip:gw@192.0.2.10:5060']);
    expect(live[0].binding.source).toEqual({ transport: 'udp', address: '192.0.2.10', port: 5060 });
    expect(live[0].binding.userAgent).toBe('TestGW/1.0');
    expect(await s.registrations.byTenant(t.id, { kind: 'agent', now })).toEqual([]);
    await s.registrations.put(aor, { tenantId: t.id, kind: 'gateway' }, [binding(aor, 'sip:gw@192.0.2.12:5060', now + 60_000)]);
    expect((await s.registrations.get(aor)).map((b) => b.contact)).toEqual(['sip:gw@192.0.2.12:5060']);
    expect((await s.registrations.live(now)).length).toBe(1);
    await s.registrations.put(aor, { tenantId: t.id, kind: 'gateway' }, []);
    expect(await s.registrations.get(aor)).toEqual([]);
    await s.registrations.put('sip:x@reg.example', { tenantId: t.id, kind: 'agent' }, [binding('sip:x@reg.example', 'sip:x@192.0.2.1', now - 5)]);
    expect(await s.registrations.purgeExpired(now)).toBe(1);
  });

  it('flows: versions per tenant, exactly one published, roll back by publishing an old version', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'flow.example' });
    const v1 = await s.flows.save(t.id, 'inbound', { start: 'a', nodes: { a: { kind: 'hangup' } } });
    const v2 = await s.flows.save(t.id, 'inbound', { start: 'b', nodes: { b: { kind: 'hangup' } } });
    const draft = await s.flows.save(t.id, 'inbound', { start: 'c', nodes: {} }, { publish: false });
    expect([v1.version, v2.version, draft.version]).toEqual([1, 2, 3]);
    expect((await s.flows.published(t.id, 'inbound'))?.id).toBe(v2.id);
    await s.flows.publish(t.id, v1.id);
    const pub = await s.flows.published(t.id, 'inbound');
    expect(pub).toMatchObject({ id: v1.id, version: 1, document: { start: 'a' }, published: true });
    expect((await s.flows.allPublished()).filter((f) => f.tenantId === t.id)).toHaveLength(1);
    const page = await s.flows.versions(t.id, 'inbound', { limit: 2 });
    expect(page.items.map((f) => f.version)).toEqual([3, 2]);
    expect((await s.flows.versions(t.id, 'inbound', { limit: 2, cursor: page.nextCursor })).items.map((f) => f.version)).toEqual([1]);
    await expect(s.flows.publish('tn_other', v1.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('calls: CDR with legs/flow path/quality as JSON, newest first with a stable cursor, filters, isolation', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'calls.example' });
    const o = await s.tenants.create({ name: 'O', domain: 'calls-other.example' });
    const base = 1_700_000_000_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await s.calls.insert({ tenantId: t.id, direction: 'inbound', customer: '+15550100', startedAt: base + (i < 3 ? 0 : i) * 1000 });
      ids.push(c.id);
    }
    const done = await s.calls.update(t.id, ids[0], {
      agentId: 'ag_x', answeredAt: base + 5, endedAt: base + 65_000, disposition: 'answered',
      legs: [{ role: 'caller', codec: 'PCMU' }, { role: 'agent', codec: 'PCMA' }], flowPath: ['greet', 'transfer'], quality: { caller: { mos: 4.3 } },
    });
    expect(done).toMatchObject({ disposition: 'answered', flowPath: ['greet', 'transfer'], legs: [{ role: 'caller' }, { role: 'agent' }], quality: { caller: { mos: 4.3 } } });
    expect(await s.calls.get(t.id, ids[0])).toEqual(done);
    expect(await s.calls.get(o.id, ids[0])).toBeUndefined();
    await expect(s.calls.update(o.id, ids[0], { disposition: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p = await s.calls.list(t.id, { limit: 2, cursor });
      seen.push(...p.items.map((c) => c.id));
      cursor = p.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
    expect((await s.calls.list(t.id, {}, { agentId: 'ag_x' })).items.map((c) => c.id)).toEqual([ids[0]]);
    expect((await s.calls.list(o.id)).items).toEqual([]);
    await expectConflict(s.calls.insert({ id: ids[0], tenantId: t.id, direction: 'inbound', customer: '1' }), 'id');
  });

  it('recordings, conversations + messages, affinity', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'conv.example' });
    const ag = await s.agents.create(t.id, { extension: '1001', name: 'A', password: 'password1' });
    const ag2 = await s.agents.create(t.id, { extension: '1002', name: 'B', password: 'password1' });
    const rec = await s.recordings.insert({ tenantId: t.id, callId: 'call_1', path: 'recordings/x.wav', format: 'wav', channels: 2, sampleRate: 8000, durationMs: 1500, sizeBytes: 48044 });
    expect(await s.recordings.get(t.id, rec.id)).toEqual(rec);
    const badPath = await rejection(s.recordings.insert({ ...rec, path: '../etc/passwd' }));
    expect((badPath as ValidationError).field).toBe('path');
    expect((await s.recordings.list(t.id, {}, { callId: 'call_1' })).items).toHaveLength(1);

    const m1 = await s.conversations.addMessage(t.id, '+1 555 0100', { kind: 'incoming_call', callId: 'call_1', body: { text: 'Incoming call' }, createdAt: 1000 });
    const m2 = await s.conversations.addMessage(t.id, '+15550100', { kind: 'transcript', callId: 'call_1', agentId: ag.id, body: { channels: { customer: 'hi' } }, createdAt: 2000 });
    await s.conversations.addMessage(t.id, '+15550199', { kind: 'note', body: { text: 'x' }, createdAt: 1500 });
    expect(m1.conversationId).toBe(m2.conversationId);
    expect(m2.customer).toBe('+15550100');
    const msgs = await s.conversations.messages(t.id, '+15550100', { limit: 1 });
    expect(msgs.items.map((m) => m.id)).toEqual([m1.id]);
    expect((await s.conversations.messages(t.id, '+15550100', { cursor: msgs.nextCursor })).items.map((m) => m.id)).toEqual([m2.id]);
    expect((await s.conversations.list(t.id)).items.map((c) => c.customer)).toEqual(['+15550100', '+15550199']);
    await expect(s.conversations.messages(t.id, '+19999')).rejects.toBeInstanceOf(NotFoundError);

    expect(await s.affinity.get(t.id, '+15550100')).toBeUndefined();
    await s.affinity.set(t.id, '+1 555 0100', ag.id, 'call_1', 10);
    await s.affinity.set(t.id, '+15550100', ag2.id, 'call_2', 20);
    expect(await s.affinity.get(t.id, '+15550100')).toEqual({ tenantId: t.id, customer: '+15550100', agentId: ag2.id, callId: 'call_2', updatedAt: 20 });
    await s.agents.remove(t.id, ag2.id);
    expect(await s.affinity.get(t.id, '+15550100')).toBeUndefined();
  });

  it('outbox: deliveries for subscribed webhooks, ordered per call, exclusive claims, retries, give-up, replay', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'events.example' });
    const all = await s.webhooks.create(t.id, { url: 'https://hooks.example/all', secret: 'x'.repeat(16) });
    const onlyEnded = await s.webhooks.create(t.id, { url: 'https://hooks.example/ended', secret: 'y'.repeat(16), events: ['call.ended'] });
    expect(JSON.stringify(all)).not.toContain('xxxx');
    const e1 = await s.outbox.append({ tenantId: t.id, type: 'call.started', callId: 'c1', data: { n: 1 } });
    const e2 = await s.outbox.append({ tenantId: t.id, type: 'call.ended', callId: 'c1', data: { n: 2 } });
    const e3 = await s.outbox.append({ tenantId: t.id, type: 'call.started', callId: 'c2', data: { n: 3 } });
    expect(e2.seq).toBeGreaterThan(e1.seq);
    const now = Date.now() + 1000;
    let due = await s.outbox.due(now, 10);
    // e2 to "all" waits behind e1 (same call); e2 to "onlyEnded" is free; e3 is another call
    expect(due.map((d) => [d.webhook.id, d.event.id])).toEqual([[all.id, e1.id], [onlyEnded.id, e2.id], [all.id, e3.id]]);
    expect(due[0].webhook.secret).toBe('x'.repeat(16));
    expect(await s.outbox.claim(all.id, e1.seq, now, now + 30_000)).toBe(true);
    expect(await s.outbox.claim(all.id, e1.seq, now, now + 30_000)).toBe(false);
    expect((await s.outbox.due(now, 10)).map((d) => d.event.id)).toEqual([e2.id, e3.id]);
    await s.outbox.attemptFailed(all.id, e1.seq, { status: 500, error: 'HTTP 500', nextAttemptAt: now + 5000, giveUp: false });
    expect(await s.outbox.nextDueAt()).toBe(e2.createdAt); // e1 now waits until now + 5000
    due = await s.outbox.due(now + 5000, 10);
    expect(due.map((d) => d.event.id)).toEqual([e1.id, e2.id, e3.id]);
    await s.outbox.delivered(all.id, e1.seq, 200, now + 5000);
    expect((await s.outbox.due(now + 5000, 10)).map((d) => [d.webhook.id, d.event.id])).toContainEqual([all.id, e2.id]);
    await s.outbox.attemptFailed(all.id, e3.seq, { status: null, error: 'ECONNREFUSED', nextAttemptAt: now, giveUp: true });
    const dels = await s.outbox.deliveries(t.id, {}, { eventId: e1.id });
    expect(dels.items).toEqual([expect.objectContaining({ webhookId: all.id, status: 'delivered', attempts: 2, lastStatus: 200, eventId: e1.id })]);
    expect((await s.outbox.deliveries(t.id, {}, { status: 'failed' })).items.map((d) => d.eventId)).toEqual([e3.id]);
    expect(await s.outbox.replay(t.id, e3.id)).toBe(1);
    expect((await s.outbox.deliveries(t.id, {}, { eventId: e3.id })).items[0].status).toBe('pending');
    await expect(s.outbox.replay(t.id, 'evt_nope')).rejects.toBeInstanceOf(NotFoundError);
    const page = await s.outbox.list(t.id, { limit: 2 });
    expect(page.items.map((e) => e.id)).toEqual([e1.id, e2.id]);
    expect((await s.outbox.list(t.id, { cursor: page.nextCursor })).items.map((e) => e.id)).toEqual([e3.id]);
    expect((await s.outbox.since(t.id, e1.seq)).map((e) => e.id)).toEqual([e2.id, e3.id]);
    expect(await s.outbox.lastSeq()).toBe(e3.seq);
    const badUrl = await rejection(s.webhooks.create(t.id, { url: 'ftp://x', secret: 'z'.repeat(16) }));
    expect((badUrl as ValidationError).field).toBe('url');
    const badEv = await rejection(s.webhooks.create(t.id, { url: 'https://x.example', secret: 'z'.repeat(16), events: ['call.nope'] }));
    expect((badEv as ValidationError).field).toBe('events.0');
  });

  it('a transaction commits the change and its outbox event together, or neither', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'tx.example' });
    await expect(
      s.transaction(async (tx) => {
        await tx.calls.insert({ id: 'call_tx1', tenantId: t.id, direction: 'inbound', customer: '1' });
        await tx.outbox.append({ tenantId: t.id, type: 'call.started', callId: 'call_tx1', data: {} });
        await tx.numbers.add(t.id, 'not-a-number');
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await s.calls.get(t.id, 'call_tx1')).toBeUndefined();
    expect((await s.outbox.list(t.id)).items).toEqual([]);
    await s.transaction(async (tx) => {
      await tx.calls.insert({ id: 'call_tx2', tenantId: t.id, direction: 'inbound', customer: '1' });
      await tx.outbox.append({ tenantId: t.id, type: 'call.started', callId: 'call_tx2', data: {} });
    });
    expect(await s.calls.get(t.id, 'call_tx2')).toBeDefined();
    expect((await s.outbox.list(t.id)).items).toHaveLength(1);
  });

  it('api keys: the token verifies, only its hash is stored, revoked or tampered tokens do not', async () => {
    const s = await h.open();
    const t = await s.tenants.create({ name: 'T', domain: 'keys.example' });
    const { apiKey, token } = await s.apiKeys.create(t.id, 'ci');
    expect((await s.apiKeys.verify(token))?.tenantId).toBe(t.id);
    const raw = await s.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain(token.slice(-32));
    expect(await s.apiKeys.verify(token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).toBeUndefined();
    expect(await s.apiKeys.verify('Bearer nonsense')).toBeUndefined();
    expect(await s.apiKeys.revoke(t.id, apiKey.id)).toBe(true);
    expect(await s.apiKeys.verify(token)).toBeUndefined();
    expect(await s.apiKeys.revoke(t.id, apiKey.id)).toBe(false);
  });

  it('refuses bad page requests naming the field', async () => {
    const s = await h.open();
    for (const [req, field] of [[{ limit: 0 }, 'limit'], [{ limit: 201 }, 'limit'], [{ cursor: 'garbage!' }, 'cursor'], [{ cursor: Buffer.from('[1]').toString('base64url') }, 'cursor']] as const) {
      const err = await rejection(s.tenants.list(req));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
  });

  it('notifies listeners of changes', async () => {
    const s = await h.open();
    const got: [string, boolean][] = [];
    const stop = await s.listen('tenant', (p, { local }) => got.push([p, local]));
    await s.notify('tenant', 'tn_1');
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([['tn_1', true]]);
    stop();
  });
});

describe('store on sqlite (file)', () => {
  it('opens the database file in WAL mode with foreign keys on, under the data directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-store-'));
    let s: Store | undefined;
    try {
      s = await openStore({ dataDir: path.join(dir, 'data') });
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(s.db);
      expect(mode.rows[0].journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(s.db);
      expect(fk.rows[0].foreign_keys).toBe(1);
      const t = await s.tenants.create({ name: 'T', domain: 'file.example' });
      await s.close();
      s = await openStore({ dataDir: path.join(dir, 'data') });
      expect(s.appliedMigrations).toEqual([]);
      expect((await s.tenants.get(t.id))?.domain).toBe('file.example');
    } finally {
      await s?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
