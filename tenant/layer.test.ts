// The assembled tenant layer: admin API → directory → registrar → outbox → signed webhook, end to end on loopback, then closed cleanly and reopened from the same data directory.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerChallenge } from '../engine/sip/auth/index.ts';
import { parseMessage, type SipRequest } from '../engine/sip/message/index.ts';
import { Registrar } from '../engine/sip/registrar/index.ts';
import { FakeScheduler } from '../engine/util/scheduler.ts';
import { generateAdminToken, openTenantLayer, verifySignature } from './index.ts';

function register(gw: string, callId: string, cseq: number, auth?: string): SipRequest {
  const text = [
    'REGISTER sip:layer.example SIP/2.0',
    `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <sip:${gw}@layer.example>;tag=1`,
    `To: <sip:${gw}@layer.example>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    'Contact: <sip:gw@198.51.100.7:5060>',
    'Expires: 600',
    ...(auth ? [`Authorization: ${auth}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe('the tenant layer', () => {
  it('configures a tenant over HTTP, registers its gateway, delivers the signed gateway.registered webhook, and survives a restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-layer-'));
    const received: { type: string; ok: boolean }[] = [];
    const hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({ type: String(req.headers['x-hotline-event-type']), ok: verifySignature('layer-secret-123456', req.headers['x-hotline-signature'] as string, body).ok });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const token = generateAdminToken();
    let layer = await openTenantLayer({ dataDir, adminToken: token, dispatcher: { baseDelayMs: 10 } });
    try {
      await layer.api.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(layer.api.server.address() as AddressInfo).port}/api/v1`;
      const req = async (method: string, url: string, body?: unknown) => {
        const r = await fetch(base + url, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
        return { status: r.status, body: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const t = await req('POST', '/tenants', { name: 'Layer', domain: 'layer.example' });
      const id = t.body.id as string;
      await req('POST', `/tenants/${id}/numbers`, { number: '100' });
      await req('POST', `/tenants/${id}/webhooks`, { url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/`, secret: 'layer-secret-123456' });
      const tel = await req('PUT', `/tenants/${id}/telephony`, { enabled: true });
      const { username, password } = tel.body.gateway as { username: string; password: string };

      const reg = new Registrar({ scheduler: new FakeScheduler(), credentials: layer.directory, store: layer.directory, epochAtZero: Date.now() });
      const src = { transport: 'udp' as const, address: '198.51.100.7', port: 5060 };
      const first = await reg.handle(register(username, 'layer-1', 1), src);
      const auth = answerChallenge({ challengeHeader: first.wwwAuthenticate()[0], method: 'REGISTER', uri: 'sip:layer.example', username, password });
      expect((await reg.handle(register(username, 'layer-1', 2, auth), src)).status).toBe(200);
      reg.close();

      for (let i = 0; i < 300 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(received).toEqual([{ type: 'gateway.registered', ok: true }]);
      expect((await req('GET', `/tenants/${id}/telephony`)).body.registrations).toHaveLength(1);
      expect(layer.directory.resolveInbound('100@layer.example', '+1555', src)).toMatchObject({ ok: true, fromGateway: true });

      await layer.close();
      await layer.close(); // idempotent
      layer = await openTenantLayer({ dataDir, adminToken: token });
      expect(layer.directory.resolveInbound('100@layer.example', '+1555', src)).toMatchObject({ ok: true, fromGateway: true });
      expect(layer.store.appliedMigrations).toEqual([]);
    } finally {
      await layer.close();
      hooks.closeAllConnections();
      await new Promise<void>((r) => hooks.close(() => r()));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
