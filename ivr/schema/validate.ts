// Flow validation: the JSON Schema, then what a schema cannot say — named nodes exist, every node is reachable from start, exits are not left dangling, loops wait for the caller (DESIGN.md §3 "Flows"; RFC 6901 pointers).
import { FlowValidationError } from '../errors.ts';
import { FLOW_SCHEMA } from './flow-schema.ts';
import type { Fault, JsonSchema } from './json-schema.ts';
import { pointer, validateAgainst } from './json-schema.ts';
import { specOf } from './nodes/index.ts';
import { unknownPlaceholders } from './template.ts';
import type { Flow, FlowNode } from './types.ts';

/** The outcome of {@link validateFlow}. */
export type FlowValidation = { ok: true; flow: Flow } | { ok: false; faults: Fault[] };

/** The contract the tenant admin API validates flows through (`PUT …/flows/inbound`, `POST /flows/validate`). */
export interface FlowValidator {
  /** The published JSON Schema. */
  schema: object;
  validate(doc: unknown): { ok: true } | { ok: false; faults: Array<{ path: string; message: string }> };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a flow document. Faults carry JSON Pointer paths into `doc` (`/start`, `/nodes/menu/branches/1`, …), in
 * document order: schema faults first, then per node its own checks, unknown placeholders and exits naming no node;
 * then unreachable nodes and loops that never wait. Never throws.
 */
export function validateFlow(doc: unknown): FlowValidation {
  let faults: Fault[];
  try {
    faults = validateAgainst(FLOW_SCHEMA as JsonSchema, doc);
  } catch (err) {
    return { ok: false, faults: [{ path: '', message: `cannot be validated: ${(err as Error).message}` }] };
  }
  if (!isObject(doc) || !isObject(doc.nodes)) return { ok: false, faults };
  const nodes = doc.nodes as Record<string, FlowNode>;
  const names = Object.keys(nodes);
  const prefix = (name: string): string => pointer('/nodes', name);
  // A node is sound when the schema found nothing wrong inside it: only sound nodes are walked further.
  const sound = new Set(
    names.filter((n) => {
      const p = prefix(n);
      return !faults.some((f) => f.path === p || f.path.startsWith(p + '/'));
    }),
  );

  if (typeof doc.start === 'string' && !Object.hasOwn(nodes, doc.start) && !faults.some((f) => f.path === '/start')) {
    faults.push({ path: '/start', message: `names no node of this flow (${JSON.stringify(doc.start)})` });
  }
  for (const name of names) {
    if (!sound.has(name)) continue;
    const node = nodes[name];
    const spec = specOf(node);
    const at = prefix(name);
    for (const f of spec.check(node)) faults.push({ path: at + f.path, message: f.message });
    for (const t of spec.texts(node)) {
      const bad = unknownPlaceholders(t.text);
      if (bad.length > 0) {
        faults.push({ path: at + t.pointer, message: `uses unknown placeholder${bad.length > 1 ? 's' : ''} ${bad.map((b) => `{{${b}}}`).join(', ')} (known: caller, called, calledIdentity, callId, vars.NAME)` });
      }
    }
    for (const e of spec.exits(node)) {
      if (!Object.hasOwn(nodes, e.target)) faults.push({ path: at + e.pointer, message: `names no node of this flow (${JSON.stringify(e.target)})` });
    }
  }
  // Reachability and loops are only judged when every node could be read: an unreadable node's exits are unknown.
  if (sound.size === names.length && typeof doc.start === 'string' && Object.hasOwn(nodes, doc.start)) {
    const reached = reachable(nodes, doc.start);
    for (const name of names) {
      if (!reached.has(name)) faults.push({ path: prefix(name), message: `is not reachable from start (${JSON.stringify(doc.start)})` });
    }
    for (const loop of instantLoops(nodes)) {
      faults.push({
        path: prefix(loop[0]),
        message: `starts a loop that never waits for the caller (${[...loop, loop[0]].join(' → ')}); it would spin until the step limit`,
      });
    }
  }
  return faults.length === 0 ? { ok: true, flow: doc as unknown as Flow } : { ok: false, faults };
}

/**
 * Validates and returns the flow.
 * @throws {FlowValidationError} with every fault
 */
export function assertFlow(doc: unknown): Flow {
  const r = validateFlow(doc);
  if (!r.ok) throw new FlowValidationError(r.faults);
  return r.flow;
}

function targets(node: FlowNode, nodes: Record<string, FlowNode>): string[] {
  return specOf(node)
    .exits(node)
    .map((e) => e.target)
    .filter((t) => Object.hasOwn(nodes, t));
}

function reachable(nodes: Record<string, FlowNode>, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const t of targets(nodes[queue.shift()!], nodes)) {
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return seen;
}

/** Cycles made only of nodes that do not wait (setVar, branch, notify): one per strongly connected component. */
function instantLoops(nodes: Record<string, FlowNode>): string[][] {
  const instant = Object.keys(nodes).filter((n) => !specOf(nodes[n]).waits);
  const isInstant = new Set(instant);
  const edges = new Map(instant.map((n) => [n, targets(nodes[n], nodes).filter((t) => isInstant.has(t))]));
  // Tarjan's strongly connected components over the instant subgraph.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)!.includes(v)) loops.push(orderLoop(component, edges));
    }
  };
  for (const n of instant) if (!idx.has(n)) visit(n);
  return loops;
}

/** A readable cycle through a component, starting at its first node in document order. */
function orderLoop(component: string[], edges: Map<string, string[]>): string[] {
  const members = new Set(component);
  const first = [...edges.keys()].find((n) => members.has(n))!;
  const path = [first];
  const seen = new Set(path);
  let cur = first;
  for (;;) {
    const nexts = edges.get(cur)!.filter((t) => members.has(t));
    const fresh = nexts.find((t) => !seen.has(t));
    if (fresh === undefined) break;
    path.push(fresh);
    seen.add(fresh);
    cur = fresh;
  }
  return path;
}

/** The flow validator the tenant admin API uses: the published schema and {@link validateFlow}. */
export const flowValidator: FlowValidator = Object.freeze({
  schema: FLOW_SCHEMA,
  validate: (doc: unknown) => {
    const r = validateFlow(doc);
    return r.ok ? { ok: true as const } : r;
  },
});
