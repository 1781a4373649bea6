// Schema of the `http` node: ask the tenant's own web service for variables or the next node, with a timeout and a fallback exit (DESIGN.md §3 "Flows").
import type { Fault, JsonSchema } from '../json-schema.ts';
import { pointer } from '../json-schema.ts';
import { exit, nodeRef, nodeSchema, seconds, template } from '../common.ts';
import type { NodeExit, NodeSpec, NodeText } from '../common.ts';
import { renderTemplate } from '../template.ts';
import type { HttpNode } from '../types.ts';

const headerName = '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,64}$';

/** Walks a JSON body template and lists its strings with pointers (relative to the node). */
function bodyTexts(value: unknown, at: string, out: NodeText[]): void {
  if (typeof value === 'string') out.push({ pointer: at, text: value });
  else if (Array.isArray(value)) value.forEach((v, i) => bodyTexts(v, pointer(at, i), out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) bodyTexts(v, pointer(at, k), out);
  }
}

const sample = { caller: '1', called: '1', calledIdentity: '1@example.com', callId: 'c', vars: {} };

/** The `http` kind in the schema layer. */
export const httpSpec: NodeSpec<HttpNode> = {
  kind: 'http',
  schema: nodeSchema(
    'http',
    'Calls the tenant\'s web service; a JSON reply may set {vars} and pick {next} among routes. Any failure (status ≥ 300, timeout, malformed reply, unknown route) goes to fallback.',
    {
      url: { ...template, minLength: 1, pattern: '^https?://' },
      method: { enum: ['GET', 'POST'], default: 'GET' },
      headers: {
        type: 'object',
        maxProperties: 20,
        propertyNames: { type: 'string', pattern: headerName },
        additionalProperties: { ...template, maxLength: 1000 },
      },
      body: { description: 'POST body (JSON; strings are templates). Default: the call and its variables.' } as JsonSchema,
      timeoutSec: seconds(0.1, 30, 'Time allowed for the reply.', 3),
      routes: { type: 'array', items: nodeRef, maxItems: 100, uniqueItems: true },
      next: nodeRef,
      fallback: nodeRef,
    },
    ['url', 'next', 'fallback'],
  ),
  waits: true,
  exits(n) {
    const out: NodeExit[] = (n.routes ?? []).map((target, i) => ({ pointer: pointer('/routes', i), target }));
    return [...out, ...exit('/next', n.next), ...exit('/fallback', n.fallback)];
  },
  check(n) {
    const faults: Fault[] = [];
    try {
      const u = new URL(renderTemplate(n.url, sample, () => 'x'));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') faults.push({ path: '/url', message: 'must be an http or https URL' });
    } catch {
      faults.push({ path: '/url', message: 'is not a valid URL' });
    }
    if (n.body !== undefined && (n.method ?? 'GET') === 'GET') faults.push({ path: '/body', message: 'is only sent with method POST' });
    return faults;
  },
  texts(n) {
    const out: NodeText[] = [{ pointer: '/url', text: n.url }];
    for (const [k, v] of Object.entries(n.headers ?? {})) out.push({ pointer: pointer('/headers', k), text: v });
    if (n.body !== undefined) bodyTexts(n.body, '/body', out);
    return out;
  },
  prompts: () => [],
};
