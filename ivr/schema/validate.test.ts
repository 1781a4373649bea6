// Flow validation against fixture files: good flows pass, each bad flow reports exactly its expected JSON Pointer paths (DESIGN.md §3 "Flows"; RFC 6901).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW } from '../default-flow.ts';
import { FlowValidationError } from '../errors.ts';
import { FLOW_SCHEMA } from './flow-schema.ts';
import { unsupportedKeywords, validateAgainst } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { NODE_KINDS } from './nodes/index.ts';
import { assertFlow, flowValidator, validateFlow } from './validate.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const read = (dir: string, f: string): unknown => JSON.parse(readFileSync(join(fixtures, dir, f), 'utf8'));
const good = readdirSync(join(fixtures, 'good')).filter((f) => f.endsWith('.json'));
const bad = readdirSync(join(fixtures, 'bad')).filter((f) => f.endsWith('.json'));

describe('good flow fixtures', () => {
  it('there are good fixtures covering every node kind', () => {
    const kinds = new Set<string>();
    for (const f of good) {
      for (const n of Object.values((read('good', f) as { nodes: Record<string, { type: string }> }).nodes)) kinds.add(n.type);
    }
    expect([...kinds].sort()).toEqual([...NODE_KINDS].sort());
  });

  it.each(good)('%s validates without faults', (f) => {
    const doc = read('good', f);
    const r = validateFlow(doc);
    expect(r.ok ? [] : r.faults).toEqual([]);
    expect(r.ok && r.flow).toBe(doc);
    expect(flowValidator.validate(doc)).toEqual({ ok: true });
  });

  it('the default flow validates and goes greeting → last agent → all agents → voicemail → hangup', () => {
    expect(validateFlow(structuredClone(DEFAULT_FLOW)).ok).toBe(true);
    const n = DEFAULT_FLOW.nodes;
    expect(DEFAULT_FLOW.start).toBe('greeting');
    expect(n.greeting).toMatchObject({ type: 'say', next: 'lastAgent' });
    expect(n.lastAgent).toMatchObject({ type: 'transfer', target: 'lastAgent', record: true, notify: true, noAnswer: 'allAgents', busy: 'allAgents', unavailable: 'allAgents' });
    expect(n.allAgents).toMatchObject({ type: 'transfer', target: { allAgents: true, strategy: 'ring-all' }, noAnswer: 'voicemail', unavailable: 'voicemail' });
    expect(n.voicemail).toMatchObject({ type: 'record', next: 'goodbye' });
    expect(n[(n.goodbye as { next: string }).next]).toMatchObject({ type: 'hangup' });
    expect(Object.isFrozen(DEFAULT_FLOW)).toBe(true);
  });
});

describe('bad flow fixtures', () => {
  it('there are at least 30 bad fixtures, each naming its expected faults', () => {
    expect(bad.length).toBeGreaterThanOrEqual(30);
    for (const f of bad) {
      const doc = read('bad', f) as { faults: unknown; description: unknown };
      expect(Array.isArray(doc.faults) && doc.faults.length > 0, f).toBe(true);
      expect(typeof doc.description, f).toBe('string');
    }
  });

  it.each(bad)('%s is refused with exactly the expected JSON paths', (f) => {
    const { flow, faults } = read('bad', f) as { flow: unknown; faults: string[] };
    const r = validateFlow(flow);
    expect(r.ok).toBe(false);
    const got = r.ok ? [] : r.faults;
    expect(got.map((x) => x.path).sort()).toEqual([...faults].sort());
    for (const x of got) expect(x.message.length).toBeGreaterThan(3);
    expect(flowValidator.validate(flow)).toEqual({ ok: false, faults: got });
  });

  it('assertFlow throws FlowValidationError carrying the faults', () => {
    const { flow } = read('bad', 'next-unknown.json') as { flow: unknown };
    try {
      assertFlow(flow);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FlowValidationError);
      expect((err as FlowValidationError).code).toBe('invalid-flow');
      expect((err as FlowValidationError).faults.map((x) => x.path).sort()).toEqual(['/nodes/end', '/nodes/greet/next']);
    }
  });
});

describe('validation details', () => {
  const flow = (nodes: Record<string, unknown>, start = 'a'): unknown => ({ version: 1, start, nodes });

  it('escapes ~ and / in node names per RFC 6901 §3', () => {
    const r = validateFlow(flow({ a: { type: 'say', text: 'x', next: 'b' }, b: { type: 'hangup' }, 'x/y~z': { type: 'hangup' } }));
    // "x/y~z" is not a valid node name; its pointer escapes '/' as ~1 and '~' as ~0.
    expect(r.ok ? [] : r.faults.map((f) => f.path)).toEqual(['/nodes/x~1y~0z']);
  });

  it('refuses values that are not documents without throwing', () => {
    for (const doc of [null, 42, 'flow', [], undefined, { version: 1, start: 'a', nodes: [] }]) {
      const r = validateFlow(doc);
      expect(r.ok).toBe(false);
    }
  });

  it('reports unreachable nodes only when every node could be read', () => {
    const r = validateFlow(flow({ a: { type: 'say', text: 'x', next: 'b' }, b: { type: 'say', text: '' }, c: { type: 'hangup' } }));
    expect(r.ok ? [] : r.faults.map((f) => f.path).sort()).toEqual(['/nodes/b/next', '/nodes/b/text']);
  });

  it('a loop through a node that waits (a gather) is allowed', () => {
    const r = validateFlow(
      flow({
        a: { type: 'setVar', vars: { n: 'x' }, next: 'm' },
        m: { type: 'gather', prompt: { say: 'Press 1.' }, branches: { '1': 'a' }, noMatch: 'a', noInput: 'end' },
        end: { type: 'hangup' },
      }),
    );
    expect(r.ok ? [] : r.faults).toEqual([]);
  });

  it('a self-loop of one instant node is refused', () => {
    const r = validateFlow(flow({ a: { type: 'setVar', vars: { n: 'x' }, next: 'a' } }));
    expect(r.ok ? [] : r.faults.map((f) => f.path)).toEqual(['/nodes/a']);
  });

  it('the document is not modified by validation', () => {
    const doc = read('good', 'ivr-menu.json');
    const copy = structuredClone(doc);
    validateFlow(doc);
    expect(doc).toEqual(copy);
  });
});

describe('FLOW_SCHEMA', () => {
  it('is a draft 2020-12 schema using only keywords the validator implements', () => {
    expect(FLOW_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(unsupportedKeywords(FLOW_SCHEMA as JsonSchema)).toEqual([]);
  });

  it('lists every node kind and is JSON-serialisable and frozen', () => {
    const json = JSON.parse(JSON.stringify(FLOW_SCHEMA)) as { $defs: Record<string, unknown> };
    for (const k of NODE_KINDS) expect(json.$defs[`${k}Node`]).toBeDefined();
    expect(Object.isFrozen(FLOW_SCHEMA)).toBe(true);
    expect(flowValidator.schema).toBe(FLOW_SCHEMA);
  });

  it('unsupportedKeywords finds keywords the validator would ignore', () => {
    expect(unsupportedKeywords({ type: 'object', properties: { a: { format: 'email' } as JsonSchema } })).toEqual(['#/properties/a: format']);
  });

  it('the validator implements the keywords it claims (type, enum, bounds, uniqueItems, anyOf)', () => {
    const s: JsonSchema = {
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: 1, maximum: 3 },
        x: { type: 'number', exclusiveMinimum: 0 },
        s: { type: 'string', minLength: 2, maxLength: 3, pattern: '^a' },
        l: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 3, minItems: 1 },
        u: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
      },
    };
    const paths = (v: unknown): string[] => validateAgainst(s, v).map((f) => f.path);
    expect(paths({ n: 2, x: 0.5, s: 'ab', l: ['a'], u: true })).toEqual([]);
    expect(paths({ n: 1.5 })).toEqual(['/n']);
    expect(paths({ n: 4 })).toEqual(['/n']);
    expect(paths({ x: 0 })).toEqual(['/x']);
    expect(paths({ s: 'a' })).toEqual(['/s']);
    expect(paths({ s: 'abcd' })).toEqual(['/s']);
    expect(paths({ s: 'bc' })).toEqual(['/s']);
    expect(paths({ s: '💡💡' })).toEqual(['/s']); // counts code points, not UTF-16 units: 2 points, pattern fails
    expect(paths({ l: ['a', 'a'] })).toEqual(['/l/1']);
    expect(paths({ l: [] })).toEqual(['/l']);
    expect(paths({ l: [1] })).toEqual(['/l/0']);
    expect(paths({ u: 3 })).toEqual(['/u']);
  });
});
