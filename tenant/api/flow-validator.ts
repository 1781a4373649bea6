// The seam between the admin API and the IVR's flow schema: a FlowValidator interface the API is given, and a clearly temporary placeholder until the IVR issue supplies the real one.
import type { JsonObject } from '../store/index.ts';

/** One fault of a flow document: where (a JSON Pointer like `/nodes/greet/next`; `''` is the whole document) and what. */
export interface FlowFault {
  path: string;
  message: string;
}

/** Validates flow documents against the published flow schema (implemented by the IVR layer). */
export interface FlowValidator {
  /** The JSON Schema of flow documents (served at `GET /api/v1/flows/schema`). */
  readonly schema: object;
  /** Checks a document; every fault names its JSON path. */
  validate(doc: unknown): { ok: true } | { ok: false; faults: FlowFault[] };
}

/**
 * PLACEHOLDER — replace with the IVR's validator (`flowValidator` of ivr/schema fits this interface; the
 * composition root passes it as `flowValidator`). Only checks that the document is an object with a string
 * `start` and an object `nodes` (and that `start` names a node). It knows nothing of node kinds.
 */
export class PlaceholderFlowValidator implements FlowValidator {
  readonly schema: object = Object.freeze({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Hotline flow (placeholder schema: the IVR layer will publish the real one)',
    type: 'object',
    required: ['start', 'nodes'],
    properties: {
      start: { type: 'string', minLength: 1 },
      nodes: { type: 'object', additionalProperties: { type: 'object' } },
    },
  });

  validate(doc: unknown): { ok: true } | { ok: false; faults: FlowFault[] } {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, faults: [{ path: '', message: 'must be an object' }] };
    const d = doc as JsonObject;
    const faults: FlowFault[] = [];
    if (typeof d.start !== 'string' || d.start.length === 0) faults.push({ path: '/start', message: 'must be a non-empty string naming the first node' });
    if (typeof d.nodes !== 'object' || d.nodes === null || Array.isArray(d.nodes)) faults.push({ path: '/nodes', message: 'must be an object of nodes by id' });
    else if (typeof d.start === 'string' && !(d.start in d.nodes)) faults.push({ path: '/start', message: `names no node ('${d.start}')` });
    return faults.length === 0 ? { ok: true } : { ok: false, faults };
  }
}
