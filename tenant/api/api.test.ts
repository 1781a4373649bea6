// The admin API over real HTTP on 127.0.0.1 (DESIGN.md §3): bearer auth and tenant isolation (401/403/404), validation errors naming the field, pagination, the happy paths, recordings with Range (RFC 9110 §14), the OpenAPI document.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Binding } from '../../engine/sip/registrar/index.ts';
import { TenantDirectory } from '../directory/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { buildAdminApi } from './index.ts';

const TOKEN = 'operator-token-0123456789';

interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, checked by the assertions
  headers: Headers;
  raw: Buffer;
}

let app: FastifyInstance;
let store: Store;
let dir: TenantDirectory;
let base: string;
let dataDir: string;

async function call(method: string, url: string, opts: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined || opts.rawBody !== undefined) {
    headers['content-type'] = 'application/json';
    body = opts.rawBody ?? JSON.stringify(opts.body);
  }
  const r = await fetch(`${base}${url}`, { method, headers, body });
  const raw = Buffer.from(await r.arrayBuffer());
  const text = raw.toString('utf8');
  let parsed: unknown = text;
  if ((r.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
  return { status: r.status, body: parsed, headers: r.headers, raw };
}

const newTenant = async (domain: string, name = 'Tenant'): Promise<string> => {
  const r = await call('POST', '/api/v1/tenants', { body: { name, domain } });
  expect(r.status).toBe(201);
  return r.body.id as string;
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-api-'));
  store = await openStore({ file: ':memory:' });
  dir = await TenantDirectory.open(store);
  app = await buildAdminApi({ store, adminToken: TOKEN, directory: dir, dataDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  await dir.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('admin API authentication and tenant isolation', () => {
  it('answers 401 without a token, with an unknown token and with another scheme', async () => {
    for (const opts of [{ token: null }, { token: 'nope-nope-nope-nope' }, { token: null, headers: { authorization: `Basic ${TOKEN}` } }]) {
      const r = await call('GET', '/api/v1/tenants', opts);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'unauthorized' });
    }
    // authentication comes before validation: a bad body without a token is still 401
    expect((await call('POST', '/api/v1/tenants', { token: null, body: { nonsense: 1 } })).status).toBe(401);
  });

  it("lets a tenant key see only its own tenant: others are 404 exactly like a missing tenant; operator routes are 403", async () => {
    const a = await newTenant('iso-a.example', 'A');
    const b = await newTenant('iso-b.example', 'B');
    const keyRes = await call('POST', `/api/v1/tenants/${a}/api-keys`, { body: { name: 'crm' } });
    expect(keyRes.status).toBe(201);
    const key = keyRes.body.key as string;
    expect(key).toMatch(/^hk_key_/);

    const list = await call('GET', '/api/v1/tenants', { token: key });
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([a]);
    expect((await call('GET', `/api/v1/tenants/${a}`, { token: key })).status).toBe(200);
    const other = await call('GET', `/api/v1/tenants/${b}`, { token: key });
    const missing = await call('GET', '/api/v1/tenants/tn_doesnotexist', { token: key });
    expect(other.status).toBe(404);
    expect(other.body).toEqual(missing.body);
    for (const url of [`/api/v1/tenants/${b}/numbers`, `/api/v1/tenants/${b}/calls`, `/api/v1/tenants/${b}/telephony`, `/api/v1/tenants/${b}/stream`]) {
      expect((await call('GET', url, { token: key })).status).toBe(404);
    }
    expect((await call('POST', `/api/v1/tenants/${b}/numbers`, { token: key, body: { number: '1' } })).status).toBe(404);
    expect((await call('POST', '/api/v1/tenants', { token: key, body: { name: 'X', domain: 'x-new.example' } })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/tenants/${a}`, { token: key })).status).toBe(403);
    // the key manages its own tenant
    expect((await call('POST', `/api/v1/tenants/${a}/numbers`, { token: key, body: { number: '555' } })).status).toBe(201);
    // revoked: 401
    expect((await call('DELETE', `/api/v1/tenants/${a}/api-keys/${keyRes.body.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/tenants/${a}`, { token: key })).status).toBe(401);
    const keys = await call('GET', `/api/v1/tenants/${a}/api-keys`);
    expect(keys.body.items[0]).toMatchObject({ id: keyRes.body.id, name: 'crm' });
    expect(keys.body.items[0].revokedAt).toEqual(expect.any(Number));
    expect(JSON.stringify(keys.body)).not.toContain(key);
  });
});

describe('admin API validation', () => {
  it('answers every bad request with 4xx {error, message, field} naming the field', async () => {
    const t = await newTenant('valid.example');
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/v1/tenants', { name: 'x' }, 400, 'domain'],
      ['POST', '/api/v1/tenants', { name: 'x', domain: 'ok.example', domian: 'typo' }, 400, 'domian'],
      ['POST', '/api/v1/tenants', { name: 'x', domain: '192.0.2.1' }, 400, 'domain'],
      ['POST', '/api/v1/tenants', { name: 'x', domain: 'a..b' }, 400, 'domain'],
      ['POST', '/api/v1/tenants', { name: 'x', domain: 'VALID.example.' }, 409, 'domain'],
      ['POST', '/api/v1/tenants', { name: 'x', domain: 'z.example', settings: { wrapUpSeconds: -1 } }, 400, 'settings.wrapUpSeconds'],
      ['POST', '/api/v1/tenants', { name: 5, domain: 'z.example' }, 400, 'name'],
      ['POST', `/api/v1/tenants/${t}/numbers`, { number: '12ab' }, 400, 'number'],
      ['POST', `/api/v1/tenants/${t}/numbers`, {}, 400, 'number'],
      ['POST', `/api/v1/tenants/${t}/agents`, { extension: '1001', name: 'A', password: 'short' }, 400, 'password'],
      ['POST', `/api/v1/tenants/${t}/agents`, { extension: 'gw-1', name: 'A', password: 'long-enough' }, 400, 'extension'],
      ['PUT', `/api/v1/tenants/${t}/telephony`, { enabled: 'yes please' }, 400, 'enabled'],
      ['POST', `/api/v1/tenants/${t}/webhooks`, { url: 'ftp://x.example', secret: 's'.repeat(16) }, 400, 'url'],
      ['POST', `/api/v1/tenants/${t}/webhooks`, { url: 'https://x.example', secret: 'short' }, 400, 'secret'],
      ['PUT', `/api/v1/tenants/${t}/flows/inbound`, { nodes: {} }, 400, '/start'],
    ];
    for (const [method, url, body, status, field] of cases) {
      const r = await call(method, url, { body });
      expect({ url, body, status: r.status, field: r.body.field }).toEqual({ url, body, status, field });
      expect(typeof r.body.error).toBe('string');
      expect(typeof r.body.message).toBe('string');
    }
    await call('POST', `/api/v1/tenants/${t}/numbers`, { body: { number: '100' } });
    const dup = await call('POST', `/api/v1/tenants/${t}/numbers`, { body: { number: '1-0-0' } });
    expect(dup).toMatchObject({ status: 409, body: { error: 'conflict', field: 'number' } });
    await call('POST', `/api/v1/tenants/${t}/agents`, { body: { extension: '1001', name: 'A', password: 'long-enough' } });
    const dupAgent = await call('POST', `/api/v1/tenants/${t}/agents`, { body: { extension: '1001', name: 'B', password: 'long-enough' } });
    expect(dupAgent).toMatchObject({ status: 409, body: { field: 'extension' } });
  });

  it('refuses bad paging and bad JSON', async () => {
    for (const [q, field] of [['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=abc', 'limit'], ['cursor=bogus', 'cursor'], ['colour=red', 'colour']]) {
      const r = await call('GET', `/api/v1/tenants?${q}`);
      expect({ q, status: r.status, field: r.body.field }).toEqual({ q, status: 400, field });
    }
    const bad = await call('POST', '/api/v1/tenants', { rawBody: '{"name": "x", ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'body' });
    const noRoute = await call('GET', '/api/v1/nothing-here');
    expect(noRoute).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('paginates lists with limit and cursor', async () => {
    const t = await newTenant('pages.example');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await call('POST', `/api/v1/tenants/${t}/numbers`, { body: { number: `+1555000${i}` } })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Res = await call('GET', `/api/v1/tenants/${t}/numbers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((n: { id: string }) => n.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual(made);
    expect(pages).toBe(3);
  });
});

describe('admin API happy paths (DESIGN.md §3)', () => {
  it('tenant → number → agent → telephony → registrations, and the directory sees each change at once', async () => {
    const created = await call('POST', '/api/v1/tenants', { body: { name: 'Acme', domain: 'Acme.COM' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme', domain: 'acme.com' });
    const id = created.body.id as string;
    expect((await call('GET', `/api/v1/tenants/${id}`)).body).toEqual(created.body);

    const num = await call('POST', `/api/v1/tenants/${id}/numbers`, { body: { number: '021 8888 6666' } });
    expect(num).toMatchObject({ status: 201, body: { number: '02188886666', calledIdentity: '02188886666@acme.com' } });
    const agent = await call('POST', `/api/v1/tenants/${id}/agents`, { body: { extension: '1001', name: 'Alice', password: 'alice-secret' } });
    expect(agent).toMatchObject({ status: 201, body: { extension: '1001', name: 'Alice', state: 'offline', away: false } });
    expect(JSON.stringify(agent.body)).not.toMatch(/alice-secret|ha1/);
    expect(dir.ha1('1001', 'acme.com', 'MD5')).toMatch(/^[0-9a-f]{32}$/);
    expect(dir.resolveInbound('02188886666@acme.com', '1', { transport: 'udp', address: '192.0.2.1', port: 5060 })).toMatchObject({ ok: false, status: 403 });

    const on = await call('PUT', `/api/v1/tenants/${id}/telephony`, { body: { enabled: true } });
    expect(on.status).toBe(200);
    expect(on.body.enabled).toBe(true);
    expect(on.body.gateway.username).toMatch(/^gw-/);
    expect(on.body.gateway.password).toHaveLength(24);
    const again = await call('PUT', `/api/v1/tenants/${id}/telephony`, { body: { enabled: true } });
    expect(again.body.gateway).toEqual({ username: on.body.gateway.username });
    expect(dir.resolveInbound('02188886666@acme.com', '1', { transport: 'udp', address: '192.0.2.1', port: 5060 })).toMatchObject({ ok: true, fromGateway: false });

    const aor = `sip:${on.body.gateway.username}@acme.com`;
    const now = Date.now();
    const binding: Binding = {
      aor, contact: 'sip:gw@198.51.100.7:5060', expiresAt: now + 600_000, q: undefined, callId: 'c', cseq: 1,
      source: { transport: 'udp', address: '198.51.100.7', port: 5060 }, localSocket: undefined, userAgent: 'Gateway/2.1',
      registeredAt: now, updatedAt: now, instanceId: undefined, regId: undefined, authUser: on.body.gateway.username, nat: false,
      reachable: true, keepaliveFailures: 0, lastKeepalive: { ok: true, rttMs: 12, at: now },
    };
    dir.put(aor, [binding]);
    const tel = await call('GET', `/api/v1/tenants/${id}/telephony`);
    expect(tel.body).toEqual({
      enabled: true,
      gateway: { username: on.body.gateway.username },
      registrations: [{ contact: 'sip:gw@198.51.100.7:5060', source: 'udp:198.51.100.7:5060', transport: 'udp', userAgent: 'Gateway/2.1', registeredAt: now, expiresAt: now + 600_000, lastKeepalive: { ok: true, rttMs: 12, at: now } }],
    });
    await dir.flush();

    const off = await call('PUT', `/api/v1/tenants/${id}/telephony`, { body: { enabled: false } });
    expect(off.body).toEqual({ enabled: false, gateway: { username: on.body.gateway.username } });
    expect(dir.resolveInbound('02188886666@acme.com', '1', binding.source)).toMatchObject({ ok: false, status: 403 });

    const patched = await call('PATCH', `/api/v1/tenants/${id}/agents/${agent.body.id}`, { body: { away: true } });
    expect(patched.body).toMatchObject({ away: true, state: 'away' });
    expect((await call('DELETE', `/api/v1/tenants/${id}/numbers/${num.body.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/tenants/${id}/numbers/${num.body.id}`)).status).toBe(404);
  });

  it('flows: validate, publish versions, read back, roll back; schema and validation endpoints', async () => {
    const id = await newTenant('flows.example');
    expect((await call('GET', `/api/v1/tenants/${id}/flows/inbound`)).status).toBe(404);
    const flow = { start: 'greet', nodes: { greet: { kind: 'say', text: 'Welcome', next: 'bye' }, bye: { kind: 'hangup' } } };
    const v1 = await call('PUT', `/api/v1/tenants/${id}/flows/inbound`, { body: flow });
    expect(v1).toMatchObject({ status: 200, body: { version: 1, published: true, document: flow } });
    const v2 = await call('PUT', `/api/v1/tenants/${id}/flows/inbound`, { body: { ...flow, start: 'bye' } });
    expect(v2.body.version).toBe(2);
    expect((await call('GET', `/api/v1/tenants/${id}/flows/inbound`)).body.id).toBe(v2.body.id);
    const bad = await call('PUT', `/api/v1/tenants/${id}/flows/inbound`, { body: { start: 'missing', nodes: {} } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'validation_error', field: '/start', faults: [{ path: '/start' }] } });
    expect((await call('GET', `/api/v1/tenants/${id}/flows/inbound/versions`)).body.items.map((f: { version: number }) => f.version)).toEqual([2, 1]);
    const back = await call('POST', `/api/v1/tenants/${id}/flows/inbound/versions/${v1.body.id}/publish`);
    expect(back.body).toMatchObject({ version: 1, published: true });
    expect(dir.inboundFlow(id)?.version).toBe(1);

    expect((await call('POST', '/api/v1/flows/validate', { body: flow })).body).toEqual({ valid: true, faults: [] });
    const invalid = await call('POST', '/api/v1/flows/validate', { body: [] });
    expect(invalid.body).toEqual({ valid: false, faults: [{ path: '', message: 'must be an object' }] });
    const schema = await call('GET', '/api/v1/flows/schema');
    expect(schema.body).toMatchObject({ type: 'object', required: ['start', 'nodes'] });
  });

  it('calls, conversations, events, webhooks and replay', async () => {
    const id = await newTenant('activity.example');
    const c = await store.calls.insert({ tenantId: id, direction: 'inbound', customer: '+15550100', number: '100', flowPath: ['greet'], legs: [{ role: 'caller' }] });
    await store.calls.insert({ tenantId: id, direction: 'outbound', customer: '+15550101' });
    const calls = await call('GET', `/api/v1/tenants/${id}/calls?limit=1`);
    expect(calls.body.items).toHaveLength(1);
    expect(calls.body.nextCursor).toEqual(expect.any(String));
    const one = await call('GET', `/api/v1/tenants/${id}/calls/${c.id}`);
    expect(one.body).toMatchObject({ id: c.id, customer: '+15550100', flowPath: ['greet'], legs: [{ role: 'caller' }], answeredAt: null });
    expect((await call('GET', `/api/v1/tenants/${id}/calls?customer=%2B15550100`)).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);

    await store.conversations.addMessage(id, '+15550100', { kind: 'transcript', callId: c.id, body: { customer: 'hello', agent: 'hi' } });
    expect((await call('GET', `/api/v1/tenants/${id}/conversations`)).body.items[0]).toMatchObject({ customer: '+15550100' });
    const msgs = await call('GET', `/api/v1/tenants/${id}/conversations/${encodeURIComponent('+15550100')}/messages`);
    expect(msgs.body.items[0]).toMatchObject({ kind: 'transcript', callId: c.id, body: { customer: 'hello' } });
    expect((await call('GET', `/api/v1/tenants/${id}/conversations/999/messages`)).status).toBe(404);

    const hook = await call('POST', `/api/v1/tenants/${id}/webhooks`, { body: { url: 'https://crm.example/hook', secret: 'k'.repeat(20), events: ['call.ended'] } });
    expect(hook).toMatchObject({ status: 201, body: { url: 'https://crm.example/hook', events: ['call.ended'], enabled: true } });
    expect(JSON.stringify(hook.body)).not.toContain('kkkk');
    const ev = await store.outbox.append({ tenantId: id, type: 'call.ended', callId: c.id, data: { disposition: 'answered' } });
    const evs = await call('GET', `/api/v1/tenants/${id}/events?type=call.ended`);
    expect(evs.body.items).toEqual([{ id: ev.id, seq: ev.seq, type: 'call.ended', callId: c.id, agentId: null, createdAt: ev.createdAt, data: { disposition: 'answered' } }]);
    const dels = await call('GET', `/api/v1/tenants/${id}/events/${ev.id}/deliveries`);
    expect(dels.body.items).toEqual([expect.objectContaining({ webhookId: hook.body.id, status: 'pending', attempts: 0 })]);
    const replay = await call('POST', `/api/v1/tenants/${id}/events/${ev.id}/replay`, { body: {} });
    expect(replay).toMatchObject({ status: 202, body: { scheduled: 1 } });
    expect((await call('GET', `/api/v1/tenants/${id}/webhooks/${hook.body.id}/deliveries?status=pending`)).body.items).toHaveLength(1);
    expect((await call('PATCH', `/api/v1/tenants/${id}/webhooks/${hook.body.id}`, { body: { enabled: false } })).body.enabled).toBe(false);
    expect((await call('DELETE', `/api/v1/tenants/${id}/webhooks/${hook.body.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/tenants/${id}/webhooks`)).body.items).toEqual([]);
  });

  it('serves recording audio with Content-Type and single byte ranges (RFC 9110 §14.1.2, §15.3.7, §15.5.17)', async () => {
    const id = await newTenant('rec.example');
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    await mkdir(path.join(dataDir, 'recordings'), { recursive: true });
    await writeFile(path.join(dataDir, 'recordings', 'r1.wav'), bytes);
    const rec = await store.recordings.insert({ tenantId: id, callId: 'call_x', path: 'recordings/r1.wav', format: 'wav', channels: 2, sampleRate: 8000, durationMs: 10, sizeBytes: 100 });
    const meta = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}`);
    expect(meta.body).toEqual({ id: rec.id, callId: 'call_x', format: 'wav', channels: 2, sampleRate: 8000, durationMs: 10, sizeBytes: 100, createdAt: rec.createdAt });
    expect(JSON.stringify(meta.body)).not.toContain('recordings/');

    const full = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}/audio`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('audio/wav');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.raw.equals(bytes)).toBe(true);

    const part = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}/audio`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/100');
    expect(part.raw.equals(bytes.subarray(10, 20))).toBe(true);
    const tail = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}/audio`, { headers: { range: 'bytes=-4' } });
    expect(tail.headers.get('content-range')).toBe('bytes 96-99/100');
    expect(tail.raw.equals(bytes.subarray(96))).toBe(true);
    const open = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}/audio`, { headers: { range: 'bytes=90-' } });
    expect(open.raw.length).toBe(10);
    const beyond = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}/audio`, { headers: { range: 'bytes=100-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */100');
    const multi = await call('GET', `/api/v1/tenants/${id}/recordings/${rec.id}/audio`, { headers: { range: 'bytes=0-1,5-6' } });
    expect(multi.status).toBe(200);

    const gone = await store.recordings.insert({ ...rec, path: 'recordings/missing.wav' });
    expect((await call('GET', `/api/v1/tenants/${id}/recordings/${gone.id}/audio`)).status).toBe(404);
    expect((await call('GET', `/api/v1/tenants/${id}/recordings?callId=call_x`)).body.items).toHaveLength(2);
  });

  it('publishes an OpenAPI 3 document generated from the route schemas, without auth', async () => {
    const r = await call('GET', '/api/v1/openapi.json', { token: null });
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(r.body.paths);
    for (const p of [
      '/api/v1/tenants', '/api/v1/tenants/{tenantId}', '/api/v1/tenants/{tenantId}/numbers', '/api/v1/tenants/{tenantId}/agents',
      '/api/v1/tenants/{tenantId}/telephony', '/api/v1/tenants/{tenantId}/flows/inbound', '/api/v1/flows/validate', '/api/v1/flows/schema',
      '/api/v1/tenants/{tenantId}/calls', '/api/v1/tenants/{tenantId}/calls/{callId}', '/api/v1/tenants/{tenantId}/recordings',
      '/api/v1/tenants/{tenantId}/recordings/{recordingId}/audio', '/api/v1/tenants/{tenantId}/conversations',
      '/api/v1/tenants/{tenantId}/conversations/{customer}/messages', '/api/v1/tenants/{tenantId}/events',
      '/api/v1/tenants/{tenantId}/webhooks', '/api/v1/tenants/{tenantId}/stream', '/api/v1/tenants/{tenantId}/api-keys',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain('/api/v1/openapi.json');
    const post = r.body.paths['/api/v1/tenants'].post;
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['name', 'domain']);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409']));
    expect(r.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
