// The `http` node against a mocked tenant web service (msw): variables and routes from the reply, fallback on status, timeout, network error, malformed or oversized replies; cancellation at hangup (RFC 9110 status classes, RFC 8259 JSON).
import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpNode } from '../../schema/types.ts';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost } from '../testing/fake-host.ts';
import { flowOf, settledWithinATurn, until } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';
import type { FlowRunResult } from '../types.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const exits = { ok: { type: 'hangup', reason: 'next' }, vip: { type: 'hangup', reason: 'vip' }, fb: { type: 'hangup', reason: 'fallback' } } as const;

function node(extra: Partial<HttpNode> = {}): HttpNode {
  return { type: 'http', url: 'https://crm.test/lookup?n={{caller}}', routes: ['vip'], next: 'ok', fallback: 'fb', timeoutSec: 0.2, ...extra };
}

async function run(n: HttpNode, info: Record<string, string> = {}): Promise<{ r: FlowRunResult; call: ScriptedCall }> {
  const call = new ScriptedCall({ info });
  const r = await runFlow(call, flowOf({ h: n, ...exits }, 'h'), new FakeFlowHost(), { vars: { seed: 's' } });
  return { r, call };
}

const exitTaken = (call: ScriptedCall): string | undefined => call.opsOf('hangup')[0]?.reason;

describe('http', () => {
  it('GET with the templated, percent-encoded URL; reply vars are set and next goes on', async () => {
    let seen: URL | undefined;
    server.use(
      http.get('https://crm.test/lookup', ({ request }) => {
        seen = new URL(request.url);
        return HttpResponse.json({ vars: { name: 'Li Lei', orders: 3, vip: false } });
      }),
    );
    const { r, call } = await run(node(), { caller: '+86 138&x' });
    expect(seen?.searchParams.get('n')).toBe('+86 138&x');
    expect(exitTaken(call)).toBe('next');
    expect(r.vars).toMatchObject({ name: 'Li Lei', orders: '3', vip: 'false' });
    expect(r.path[0]).toMatchObject({ outcome: 'ok', detail: { status: 200, vars: ['name', 'orders', 'vip'] } });
  });

  it('a reply naming one of the routes goes there', async () => {
    server.use(http.get('https://crm.test/lookup', () => HttpResponse.json({ next: 'vip' })));
    const { r, call } = await run(node());
    expect(exitTaken(call)).toBe('vip');
    expect(r.path[0].outcome).toBe('routed');
  });

  it('POST sends templated JSON headers and body; the default body is the call and its variables', async () => {
    const bodies: unknown[] = [];
    const headers: Array<string | null> = [];
    server.use(
      http.post('https://crm.test/lookup', async ({ request }) => {
        bodies.push(await request.json());
        headers.push(request.headers.get('x-call'));
        return HttpResponse.json({});
      }),
    );
    await run(node({ method: 'POST', headers: { 'X-Call': '{{callId}}' }, body: { who: '{{caller}}', list: ['{{vars.seed}}', 7] } }));
    await run(node({ method: 'POST' }));
    expect(bodies[0]).toEqual({ who: '13800138000', list: ['s', 7] });
    expect(bodies[1]).toEqual({ callId: 'call-1', caller: '13800138000', called: '02188886666', calledIdentity: '02188886666@acme.example', vars: { seed: 's' } });
    expect(headers[0]).toBe('call-1');
  });

  it.each([
    ['a 500', () => new HttpResponse('oops', { status: 500 }), 'status'],
    ['a 404', () => new HttpResponse(null, { status: 404 }), 'status'],
    ['a redirect (not followed)', () => new HttpResponse(null, { status: 302, headers: { location: 'https://elsewhere.test/' } }), 'status'],
    ['a body that is not JSON', () => new HttpResponse('<html>', { status: 200 }), 'malformed'],
    ['a JSON array', () => HttpResponse.json([1, 2]), 'malformed'],
    ['vars that are not an object', () => HttpResponse.json({ vars: 'x' }), 'malformed'],
    ['a nested variable value', () => HttpResponse.json({ vars: { a: { b: 1 } } }), 'malformed'],
    ['a bad variable name', () => HttpResponse.json({ vars: { 'a-b': '1' } }), 'malformed'],
    ['a route not listed', () => HttpResponse.json({ next: 'fb2' }), 'bad-route'],
    ['an oversized reply', () => new HttpResponse('x'.repeat(70_000), { status: 200 }), 'too-large'],
    ['a network error', () => HttpResponse.error(), 'network'],
  ])('%s takes the fallback exit', async (_, reply, outcome) => {
    server.use(http.get('https://crm.test/lookup', reply));
    const { r, call } = await run(node());
    expect(exitTaken(call)).toBe('fallback');
    expect(r.path[0].outcome).toBe(outcome);
    expect(r.outcome).toBe('completed');
  });

  it('no reply within timeoutSec takes the fallback exit with outcome timeout', async () => {
    server.use(http.get('https://crm.test/lookup', async () => {
      await delay('infinite');
      return HttpResponse.json({});
    }));
    const t0 = performance.now();
    const { r, call } = await run(node({ timeoutSec: 0.15 }));
    const ms = performance.now() - t0;
    expect(exitTaken(call)).toBe('fallback');
    expect(r.path[0]).toMatchObject({ outcome: 'timeout', detail: { timeoutMs: 150 } });
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(2000);
  });

  it('uses the host’s fetch when it supplies one (destination policy)', async () => {
    const host = new FakeFlowHost();
    const urls: string[] = [];
    host.httpFetch = (async (url: string | URL | Request) => {
      urls.push(String(url));
      return new Response(JSON.stringify({ next: 'vip' }), { status: 200 });
    }) as typeof fetch;
    const call = new ScriptedCall();
    await runFlow(call, flowOf({ h: node(), ...exits }, 'h'), host);
    expect(urls).toEqual(['https://crm.test/lookup?n=13800138000']);
    expect(exitTaken(call)).toBe('vip');
  });

  it('caller hangs up during the request: the request is aborted and the flow stops at once', async () => {
    let aborted = false;
    let started = false;
    server.use(
      http.get('https://crm.test/lookup', async ({ request }) => {
        started = true;
        request.signal.addEventListener('abort', () => (aborted = true));
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const call = new ScriptedCall();
    const p = runFlow(call, flowOf({ h: node({ timeoutSec: 5 }), ...exits }, 'h'), new FakeFlowHost());
    await until(() => started, 'the request');
    call.callerHangsUp();
    const r = await settledWithinATurn(p);
    expect(r !== 'pending' && r.outcome).toBe('hangup');
    await until(() => aborted, 'the request to be aborted');
  });
});
