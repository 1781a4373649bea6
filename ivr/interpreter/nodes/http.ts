// The `http` node: asks the tenant's web service for variables or the next node, with a timeout and a fallback exit (DESIGN.md §3 "Flows"; RFC 9110 status classes, RFC 8259 JSON).
//
// Request: GET or POST to the templated URL (substituted values percent-encoded), headers templated, a POST body of
// templated JSON (default: the call and its variables). Redirects are not followed. Reply: 2xx with a JSON object
// `{ "vars": {NAME: string|number|boolean}, "next": "node" }` (both optional; `next` must be one of `routes`),
// at most 64 KiB. Anything else — status ≥ 300, timeout, network error, malformed or oversized reply, unknown
// route — takes `fallback`, with the reason as the step's outcome.
import { CallEndedError } from '../../../engine/call/types.ts';
import { httpSpec } from '../../schema/nodes/http.ts';
import { VAR_NAME_PATTERN } from '../../schema/template.ts';
import type { HttpNode } from '../../schema/types.ts';
import type { NodeContext, NodeResult } from '../types.ts';

/** The schema of `http` nodes. */
export const schema = httpSpec.schema;

/** Largest reply read, bytes. */
export const MAX_HTTP_REPLY = 64 * 1024;

/** Default timeout, seconds. */
export const HTTP_DEFAULT_TIMEOUT_SEC = 3;

const VAR_NAME = new RegExp(VAR_NAME_PATTERN);

class ReplyError extends Error {
  readonly outcome: string;
  constructor(outcome: string, message: string) {
    super(message);
    this.outcome = outcome;
  }
}

function renderJson(ctx: NodeContext, v: unknown): unknown {
  if (typeof v === 'string') return ctx.render(v);
  if (Array.isArray(v)) return v.map((x) => renderJson(ctx, x));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderJson(ctx, x)]));
  return v;
}

async function readLimited(res: Response, limit: number): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new ReplyError('too-large', `reply larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseReply(text: string, node: HttpNode): { vars: Array<[string, string]>; next?: string } {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ReplyError('malformed', 'reply is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ReplyError('malformed', 'reply is not a JSON object');
  const { vars, next } = doc as { vars?: unknown; next?: unknown };
  const out: Array<[string, string]> = [];
  if (vars !== undefined) {
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw new ReplyError('malformed', 'vars is not an object');
    for (const [k, v] of Object.entries(vars)) {
      if (!VAR_NAME.test(k)) throw new ReplyError('malformed', `bad variable name ${JSON.stringify(k)}`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ReplyError('malformed', `variable ${k} is not a string, number or boolean`);
      out.push([k, String(v)]);
    }
  }
  if (next === undefined || next === null) return { vars: out };
  if (typeof next !== 'string') throw new ReplyError('malformed', 'next is not a string');
  if (!(node.routes ?? []).includes(next)) throw new ReplyError('bad-route', `next ${JSON.stringify(next)} is not one of routes`);
  return { vars: out, next };
}

/** Calls the service; sets the reply's variables and goes to its route, `next`, or `fallback`. */
export async function run(ctx: NodeContext, node: HttpNode, signal: AbortSignal): Promise<NodeResult> {
  if (signal.aborted) throw new CallEndedError();
  const info = ctx.call.info;
  const method = node.method ?? 'GET';
  const url = ctx.render(node.url, encodeURIComponent);
  const headers = new Headers();
  for (const [k, v] of Object.entries(node.headers ?? {})) headers.set(k, ctx.render(v));
  let body: string | undefined;
  if (method === 'POST') {
    const payload =
      node.body !== undefined
        ? renderJson(ctx, node.body)
        : { callId: info.id, caller: info.caller, called: info.called, calledIdentity: info.calledIdentity, vars: { ...ctx.vars } };
    body = JSON.stringify(payload);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  const timeoutMs = (node.timeoutSec ?? HTTP_DEFAULT_TIMEOUT_SEC) * 1000;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const both = AbortSignal.any([signal, timeout.signal]);
  const started = ctx.clock.now();
  const fallback = (outcome: string, extra: Record<string, unknown> = {}): NodeResult => {
    ctx.log.info({ node: ctx.node, callId: info.id, outcome, ...extra }, 'http: taking the fallback exit');
    return { next: node.fallback, outcome, detail: { ...extra, ms: ctx.clock.now() - started } };
  };
  try {
    const fetchFn = ctx.host.httpFetch ?? globalThis.fetch;
    const res = await fetchFn(url, { method, headers, body, signal: both, redirect: 'manual' });
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel().catch(() => {});
      return fallback('status', { status: res.status });
    }
    const reply = parseReply(await readLimited(res, MAX_HTTP_REPLY), node);
    for (const [k, v] of reply.vars) ctx.setVar(k, v);
    const detail = { status: res.status, vars: reply.vars.map(([k]) => k), ms: ctx.clock.now() - started };
    return reply.next !== undefined ? { next: reply.next, outcome: 'routed', detail } : { next: node.next, outcome: 'ok', detail };
  } catch (err) {
    if (signal.aborted) throw new CallEndedError();
    if (timeout.signal.aborted) return fallback('timeout', { timeoutMs });
    if (err instanceof ReplyError) return fallback(err.outcome, { reason: err.message });
    return fallback('network', { reason: (err as Error).message });
  } finally {
    clearTimeout(timer);
  }
}
