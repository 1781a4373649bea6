// Properties of flow validation: never throws, and every fault path points into the document (RFC 6901 JSON Pointer; DESIGN.md §3 "Flows").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateFlow } from './validate.ts';

const good = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'good', 'ivr-menu.json'), 'utf8')) as Record<string, unknown>;

/** Resolves a JSON Pointer (RFC 6901 §4); undefined when a token is missing. */
function resolve(doc: unknown, path: string): { found: boolean; parentFound: boolean } {
  if (path === '') return { found: true, parentFound: true };
  const tokens = path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length; i++) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, tokens[i])) {
      return { found: false, parentFound: i === tokens.length - 1 };
    }
    cur = (cur as Record<string, unknown>)[tokens[i]];
  }
  return { found: true, parentFound: true };
}

/** All pointers of the object/array members of a document. */
function pointers(doc: unknown, base = ''): string[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const p = `${base}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    out.push(p, ...pointers(v, p));
  }
  return out;
}

function setAt(doc: unknown, path: string, value: unknown): void {
  const tokens = path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur = doc as Record<string, unknown>;
  for (const t of tokens.slice(0, -1)) cur = cur[t] as Record<string, unknown>;
  if (value === undefined) delete cur[tokens[tokens.length - 1]];
  else cur[tokens[tokens.length - 1]] = value;
}

const all = pointers(good);

describe('validateFlow properties', () => {
  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = validateFlow(v);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('after one random change to a good flow, every fault path names a member or a missing member of an existing object', () => {
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })), (path, value) => {
        const doc = structuredClone(good);
        setAt(doc, path, value);
        const r = validateFlow(doc);
        if (r.ok) return;
        expect(r.faults.length).toBeGreaterThan(0);
        for (const f of r.faults) {
          const at = resolve(doc, f.path);
          expect(at.found || at.parentFound, f.path).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('deleting a node that others name is always refused', () => {
    const named = ['menu', 'sales', 'support', 'voicemail', 'goodbye', 'end'];
    fc.assert(
      fc.property(fc.constantFrom(...named), (name) => {
        const doc = structuredClone(good) as { nodes: Record<string, unknown> };
        delete doc.nodes[name];
        expect(validateFlow(doc).ok).toBe(false);
      }),
    );
  });
});
