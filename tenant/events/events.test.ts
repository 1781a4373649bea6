// Events end to end: the transactional outbox, webhook delivery to a real local HTTP receiver that fails first (retries with backoff, HMAC-SHA256 signatures, per-call order, at-least-once, across a restart), replay, the activity recorder, and the SSE live stream with Last-Event-ID resume (WHATWG HTML §9.2).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApi } from '../api/index.ts';
import { NotFoundError } from '../errors.ts';
import { openStore, type Store } from '../store/index.ts';
import { BACKENDS, useBackend } from '../testing.ts';
import { CallActivity, EventBus, EventWriter, signatureHeader, verifySignature, WebhookDispatcher } from './index.ts';

const SECRET = 'whsec-0123456789abcdef';

interface Received {
  eventId: string;
  seq: number;
  callId: string | null;
  attempt: number;
  status: number;
  signatureOk: boolean;
}

/** A webhook receiver on 127.0.0.1 that answers 500 to the first `failFirst` attempts of each event. */
class Receiver {
  readonly received: Received[] = [];
  readonly #server: Server;
  failFirst: number;
  alwaysFail = false;

  constructor(failFirst: number) {
    this.failFirst = failFirst;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const payload = JSON.parse(body.toString('utf8')) as { id: string; seq: number; callId: string | null };
    const sig = verifySignature(SECRET, req.headers['x-hotline-signature'] as string | undefined, body);
    const before = this.received.filter((r) => r.eventId === payload.id).length;
    const status = this.alwaysFail || before < this.failFirst ? 500 : 204;
    this.received.push({ eventId: payload.id, seq: payload.seq, callId: payload.callId, attempt: Number(req.headers['x-hotline-delivery-attempt']), status, signatureOk: sig.ok });
    res.writeHead(status).end();
  }

  delivered(): string[] {
    return this.received.filter((r) => r.status === 204).map((r) => r.eventId);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 15));
  }
}

describe('webhook signatures', () => {
  it('verify over timestamp + body (HMAC-SHA256), refusing tampered, stale and malformed ones', () => {
    const body = '{"id":"evt_1"}';
    const t = 1_700_000_000;
    const h = signatureHeader(SECRET, t, body);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, h, body, { nowSec: t + 10 })).toEqual({ ok: true, timestamp: t });
    expect(verifySignature(SECRET, h, `${body} `, { nowSec: t })).toEqual({ ok: false, fault: 'mismatch' });
    expect(verifySignature('other-secret-value', h, body, { nowSec: t })).toEqual({ ok: false, fault: 'mismatch' });
    expect(verifySignature(SECRET, h, body, { nowSec: t + 301 })).toEqual({ ok: false, fault: 'stale' });
    expect(verifySignature(SECRET, 'v1=abc', body, { nowSec: t })).toEqual({ ok: false, fault: 'malformed' });
    expect(verifySignature(SECRET, undefined, body)).toEqual({ ok: false, fault: 'malformed' });
    // during a secret rotation several v1 values may be sent: any may match
    const rotated = `${h},v1=${'0'.repeat(64)}`;
    expect(verifySignature(SECRET, rotated, body, { nowSec: t }).ok).toBe(true);
  });
});

describe.each(BACKENDS)('webhook delivery on %s', (backend) => {
  const h = useBackend(backend);

  it('retries failed attempts with backoff until delivered, in order per call, every request signed', async () => {
    const store = await h.open();
    const receiver = new Receiver(2);
    const url = await receiver.start();
    const t = await store.tenants.create({ name: 'T', domain: 'hooks.example' });
    await store.webhooks.create(t.id, { url, secret: SECRET });
    const dispatcher = new WebhookDispatcher(store, { baseDelayMs: 10, jitter: 0, maxAttempts: 10 });
    const writer = new EventWriter(store, { wake: () => dispatcher.wake() });
    try {
      dispatcher.start();
      const emitted: string[] = [];
      for (const [type, callId] of [['call.started', 'c1'], ['call.started', 'c2'], ['call.answered', 'c1'], ['call.ended', 'c2'], ['call.ended', 'c1'], ['gateway.registered', null]] as const) {
        emitted.push((await writer.emit({ tenantId: t.id, type, callId, data: { n: emitted.length } })).id);
      }
      await until(() => new Set(receiver.delivered()).size === emitted.length);
      await dispatcher.idle();
      expect(new Set(receiver.delivered())).toEqual(new Set(emitted));
      expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
      // each event: two 500s, then delivered on attempt 3
      for (const id of emitted) expect(receiver.received.filter((r) => r.eventId === id).map((r) => [r.attempt, r.status])).toEqual([[1, 500], [2, 500], [3, 204]]);
      // per call, nothing of a later event is sent before the earlier event was delivered
      for (const call of ['c1', 'c2']) {
        const seqs = receiver.received.filter((r) => r.callId === call).map((r) => r.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
      const dels = await store.outbox.deliveries(t.id);
      expect(dels.items.every((d) => d.status === 'delivered' && d.attempts === 3 && d.lastStatus === 204)).toBe(true);
      expect(dispatcher.stats).toMatchObject({ delivered: 6, failedAttempts: 12 });
    } finally {
      await dispatcher.close();
      await receiver.stop();
    }
  });

  it('gives up after maxAttempts (visible as failed), and a replay delivers it once the receiver is back', async () => {
    const store = await h.open();
    const receiver = new Receiver(0);
    receiver.alwaysFail = true;
    const url = await receiver.start();
    const t = await store.tenants.create({ name: 'T', domain: 'giveup.example' });
    const hook = await store.webhooks.create(t.id, { url, secret: SECRET });
    const dispatcher = new WebhookDispatcher(store, { baseDelayMs: 5, jitter: 0, maxAttempts: 3 });
    const writer = new EventWriter(store, { wake: () => dispatcher.wake() });
    try {
      dispatcher.start();
      const ev = await writer.emit({ tenantId: t.id, type: 'call.ended', callId: 'cx', data: {} });
      const next = await writer.emit({ tenantId: t.id, type: 'call.ended', callId: 'cx', data: { second: true } });
      await until(async () => (await store.outbox.deliveries(t.id, {}, { status: 'failed' })).items.length === 2);
      expect(receiver.received.filter((r) => r.eventId === ev.id)).toHaveLength(3);
      receiver.alwaysFail = false;
      expect(await store.outbox.replay(t.id, ev.id, hook.id)).toBe(1);
      dispatcher.wake();
      await until(() => receiver.delivered().includes(ev.id));
      expect(receiver.delivered()).not.toContain(next.id);
    } finally {
      await dispatcher.close();
      await receiver.stop();
    }
  });

  it('delivers events left in the outbox by a stopped server after a restart', async () => {
    const receiver = new Receiver(1);
    const url = await receiver.start();
    let dir: string | undefined;
    let opts = backend === 'postgres' ? await h.freshOptions() : undefined;
    if (opts === undefined) {
      dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-events-'));
      opts = { dataDir: dir };
    }
    let first: Store | undefined;
    let second: Store | undefined;
    try {
      first = await openStore(opts);
      const t = await first.tenants.create({ name: 'T', domain: 'restart.example' });
      await first.webhooks.create(t.id, { url, secret: SECRET });
      // the first server commits events and stops before delivering any of them
      const writer = new EventWriter(first);
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await writer.emit({ tenantId: t.id, type: 'call.started', callId: `r${i % 2}`, data: { i } })).id);
      await first.close();
      first = undefined;
      expect(receiver.received).toEqual([]);

      second = await openStore({ ...opts, migrate: true });
      const dispatcher = new WebhookDispatcher(second, { baseDelayMs: 10, jitter: 0 });
      try {
        dispatcher.start();
        const s = second;
        await until(async () => (await s.outbox.deliveries(t.id, {}, { status: 'delivered' })).items.length === 4);
      } finally {
        await dispatcher.close();
      }
      expect(new Set(receiver.delivered())).toEqual(new Set(ids));
      expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    } finally {
      await first?.close();
      await second?.close();
      await receiver.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  });

  it('records a call with its events atomically: started → incoming call → answered → ended (affinity set)', async () => {
    const store = await h.open();
    const t = await store.tenants.create({ name: 'T', domain: 'activity.example' });
    const agent = await store.agents.create(t.id, { extension: '1001', name: 'Alice', password: 'password1' });
    const seen: string[] = [];
    const bus = new EventBus(store);
    bus.subscribe((e) => seen.push(e.type));
    const activity = new CallActivity(new EventWriter(store, { bus }));
    const call = await activity.callStarted({ tenantId: t.id, direction: 'inbound', customer: '+15550100', number: '100' });
    const incoming = await activity.agentIncomingCall(t.id, { callId: call.id, agentId: agent.id, customer: '+15550100', extension: '1001' });
    expect(incoming.data).toMatchObject({ customer: '+15550100', lastInteraction: null, agentId: agent.id });
    await activity.callAnswered(t.id, call.id, { agentId: agent.id, answeredAt: call.startedAt + 1000 });
    const ended = await activity.callEnded(t.id, call.id, { disposition: 'answered', endedAt: call.startedAt + 61_000, flowPath: ['greet', 'transfer'] });
    expect(ended).toMatchObject({ disposition: 'answered', agentId: agent.id, flowPath: ['greet', 'transfer'] });
    expect(await store.affinity.get(t.id, '+15550100')).toMatchObject({ agentId: agent.id, callId: call.id });
    const rec = await activity.recordingReady({ tenantId: t.id, callId: call.id, path: 'rec/x.wav', format: 'wav', channels: 2, sampleRate: 8000, durationMs: 60_000, sizeBytes: 1_920_044 });
    const msg = await activity.messageCreated(t.id, '+15550100', { kind: 'transcript', callId: call.id, agentId: agent.id, body: { customer: 'hello', agent: 'hi' } });
    expect(seen).toEqual(['call.started', 'message.created', 'agent.incoming_call', 'call.answered', 'call.ended', 'recording.ready', 'message.created']);
    const log = (await store.outbox.list(t.id)).items;
    expect(log.map((e) => e.type)).toEqual(seen);
    expect(log.find((e) => e.type === 'call.ended')?.data).toMatchObject({ durationMs: 60_000, disposition: 'answered' });
    expect(log.find((e) => e.type === 'recording.ready')?.data).toMatchObject({ recordingId: rec.id });
    expect((await store.conversations.messages(t.id, '+15550100')).items.map((m) => m.kind)).toEqual(['incoming_call', 'transcript']);
    expect(msg.kind).toBe('transcript');
    // the next call from this customer knows the last interaction
    const c2 = await activity.callStarted({ tenantId: t.id, direction: 'inbound', customer: '+15550100' });
    const again = await activity.agentIncomingCall(t.id, { callId: c2.id, agentId: agent.id, customer: '+15550100' });
    expect(again.data).toMatchObject({ lastInteraction: { agentId: agent.id, callId: call.id } });
    // a failing step writes nothing and publishes nothing
    const before = seen.length;
    await expect(activity.callEnded(t.id, 'call_missing', { disposition: 'failed' })).rejects.toBeInstanceOf(NotFoundError);
    expect(seen.length).toBe(before);
    expect((await store.outbox.list(t.id)).items.length).toBe(before);
    bus.close();
  });

  if (backend === 'postgres') {
    it('follows events committed by another node (LISTEN/NOTIFY)', async () => {
      const opts = await h.freshOptions();
      const node1 = await h.open(opts);
      const node2 = await h.open({ ...opts, migrate: false });
      const bus2 = new EventBus(node2);
      await bus2.follow();
      const got: string[] = [];
      bus2.subscribe((e) => got.push(e.id));
      const bus1 = new EventBus(node1);
      await bus1.follow();
      const t = await node1.tenants.create({ name: 'T', domain: 'nodes.example' });
      const writer = new EventWriter(node1, { bus: bus1 });
      const e1 = await writer.emit({ tenantId: t.id, type: 'call.started', callId: 'n1', data: {} });
      const e2 = await writer.emit({ tenantId: t.id, type: 'call.ended', callId: 'n1', data: {} });
      await until(() => got.length === 2);
      expect(got).toEqual([e1.id, e2.id]);
      bus1.close();
      bus2.close();
    });
  }
});

describe('live stream (Server-Sent Events)', () => {
  let store: Store;
  let bus: EventBus;
  let writer: EventWriter;
  let app: Awaited<ReturnType<typeof buildAdminApi>>;
  let base: string;
  const TOKEN = 'operator-token-for-sse-tests';

  beforeAll(async () => {
    store = await openStore({ file: ':memory:' });
    bus = new EventBus(store);
    writer = new EventWriter(store, { bus });
    app = await buildAdminApi({ store, adminToken: TOKEN, live: bus, sseHeartbeatMs: 50 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
  });

  afterAll(async () => {
    await app.close();
    bus.close();
    await store.close();
  });

  interface Frame {
    id: string;
    event: string;
    data: { id: string; type: string; agentId: string | null };
  }

  /** Opens a stream and collects frames until `count` events arrived; then disconnects. */
  async function collect(url: string, count: number, headers: Record<string, string> = {}, during?: () => Promise<void>): Promise<{ frames: Frame[]; comments: number }> {
    const ac = new AbortController();
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, ...headers }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let buf = '';
    const frames: Frame[] = [];
    let comments = 0;
    const pump = (async () => {
      while (frames.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith(':')) comments++;
          const f: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const c = line.indexOf(':');
            if (c > 0) f[line.slice(0, c)] = line.slice(c + 1).trimStart();
          }
          if (f.data !== undefined) frames.push({ id: f.id, event: f.event, data: JSON.parse(f.data) });
        }
      }
    })();
    if (during) await during();
    await Promise.race([pump, new Promise((_, rej) => setTimeout(() => rej(new Error('stream timed out')), 5000).unref())]);
    ac.abort();
    await reader.cancel().catch(() => {});
    return { frames, comments };
  }

  it('streams committed events of the tenant live, with id = seq, and resumes after Last-Event-ID', async () => {
    const t = await store.tenants.create({ name: 'T', domain: 'sse.example' });
    const other = await store.tenants.create({ name: 'O', domain: 'sse-other.example' });
    const url = `${base}/tenants/${t.id}/stream`;
    const live = await collect(url, 2, {}, async () => {
      await until(() => bus.size > 0);
      await writer.emit({ tenantId: other.id, type: 'call.started', callId: 'x', data: {} });
      await writer.emit({ tenantId: t.id, type: 'call.started', callId: 'a', data: {} });
      await writer.emit({ tenantId: t.id, type: 'call.ended', callId: 'a', data: {} });
    });
    expect(live.frames.map((f) => f.event)).toEqual(['call.started', 'call.ended']);
    expect(live.frames.every((f) => f.data.id.startsWith('evt_') && Number(f.id) > 0)).toBe(true);
    await until(() => bus.size === 0);

    // while disconnected, more happens; reconnecting with Last-Event-ID replays exactly what was missed, then goes live
    const missed = [];
    missed.push(await writer.emit({ tenantId: t.id, type: 'call.started', callId: 'b', data: {} }));
    missed.push(await writer.emit({ tenantId: t.id, type: 'recording.ready', callId: 'a', data: {} }));
    const resumed = await collect(url, 3, { 'last-event-id': live.frames[1].id }, async () => {
      await until(() => bus.size > 0);
      missed.push(await writer.emit({ tenantId: t.id, type: 'call.ended', callId: 'b', data: {} }));
    });
    expect(resumed.frames.map((f) => f.data.id)).toEqual(missed.map((e) => e.id));
    expect(resumed.frames.map((f) => Number(f.id))).toEqual(missed.map((e) => e.seq));
  });

  it("narrows to one agent's events, sends keep-alive comments, and refuses a bad Last-Event-ID", async () => {
    const t = await store.tenants.create({ name: 'T', domain: 'sse-agent.example' });
    const alice = await store.agents.create(t.id, { extension: '1001', name: 'Alice', password: 'password1' });
    const bob = await store.agents.create(t.id, { extension: '1002', name: 'Bob', password: 'password1' });
    const got = await collect(`${base}/tenants/${t.id}/stream?agentId=${alice.id}`, 1, {}, async () => {
      await until(() => bus.size > 0);
      await new Promise((r) => setTimeout(r, 120)); // a couple of 50 ms heartbeats
      await writer.emit({ tenantId: t.id, type: 'agent.incoming_call', agentId: bob.id, callId: 'c', data: {} });
      await writer.emit({ tenantId: t.id, type: 'agent.incoming_call', agentId: alice.id, callId: 'c', data: {} });
    });
    expect(got.frames.map((f) => f.data.agentId)).toEqual([alice.id]);
    expect(got.comments).toBeGreaterThanOrEqual(1);
    const bad = await fetch(`${base}/tenants/${t.id}/stream`, { headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'Last-Event-ID' });
    const noAgent = await fetch(`${base}/tenants/${t.id}/stream?agentId=ag_nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(noAgent.status).toBe(404);
    await noAgent.arrayBuffer();
    await until(() => bus.size === 0);
  });
});
