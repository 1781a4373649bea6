// A small JSON Schema (draft 2020-12 subset) validator reporting every fault with its JSON Pointer (RFC 6901): type, enum, const, numeric and length bounds, pattern, properties / required / additionalProperties, items, min/maxItems, min/maxProperties, anyOf, $ref to #/$defs.
import type { ScenarioFault } from './errors.ts';

/** The schema keywords this validator understands. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  type?: JsonType | JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
}

export type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

/** Escapes one JSON Pointer token (RFC 6901 §3). */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function typeMatches(v: unknown, t: JsonType): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function resolve(root: JsonSchema, s: JsonSchema): JsonSchema {
  let cur = s;
  for (let i = 0; cur.$ref !== undefined && i < 16; i++) {
    const m = /^#\/\$defs\/(.+)$/.exec(cur.$ref);
    const target = m ? root.$defs?.[m[1]] : undefined;
    if (!target) throw new TypeError(`schema: unresolvable $ref ${cur.$ref}`);
    cur = target;
  }
  return cur;
}

/** Validates `value` against `schema`; returns every fault (empty when valid). */
export function validateJson(schema: JsonSchema, value: unknown): ScenarioFault[] {
  const faults: ScenarioFault[] = [];
  check(schema, schema, value, '', faults);
  return faults;
}

function check(root: JsonSchema, s0: JsonSchema, v: unknown, path: string, out: ScenarioFault[]): void {
  const s = resolve(root, s0);
  if (s.anyOf) {
    const attempts = s.anyOf.map((b) => {
      const f: ScenarioFault[] = [];
      check(root, b, v, path, f);
      return f;
    });
    if (attempts.some((f) => f.length === 0)) {
      // Passed one branch; the rest of this schema still applies.
    } else {
      // Report the branch whose type fits the value, else a summary.
      const fitting = s.anyOf.findIndex((b) => {
        const r = resolve(root, b);
        const types = r.type === undefined ? [] : Array.isArray(r.type) ? r.type : [r.type];
        return types.some((t) => typeMatches(v, t));
      });
      if (fitting >= 0) out.push(...attempts[fitting]);
      else out.push({ path, message: `must be ${s.anyOf.map((b) => describe(resolve(root, b))).join(' or ')}` });
      return;
    }
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeMatches(v, t))) {
      out.push({ path, message: `must be ${types.map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`)).join(' or ')}, got ${typeOf(v) === 'integer' ? 'number' : typeOf(v)}` });
      return;
    }
  }
  if (s.const !== undefined && v !== s.const) out.push({ path, message: `must be ${JSON.stringify(s.const)}` });
  if (s.enum !== undefined && !s.enum.includes(v)) out.push({ path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out.push({ path, message: `must be ≥ ${s.minimum}` });
    if (s.maximum !== undefined && v > s.maximum) out.push({ path, message: `must be ≤ ${s.maximum}` });
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) out.push({ path, message: `must be > ${s.exclusiveMinimum}` });
  }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) out.push({ path, message: s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters` });
    if (s.maxLength !== undefined && v.length > s.maxLength) out.push({ path, message: `must be at most ${s.maxLength} characters` });
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) out.push({ path, message: `"${v}" does not match ${s.description ? `the expected form (${s.description})` : s.pattern}` });
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out.push({ path, message: `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}` });
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push({ path, message: `must have at most ${s.maxItems} items` });
    if (s.items) v.forEach((item, i) => check(root, s.items as JsonSchema, item, `${path}/${i}`, out));
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    for (const r of s.required ?? []) if (!(r in obj)) out.push({ path, message: `missing required property "${r}"` });
    if (s.minProperties !== undefined && keys.length < s.minProperties) out.push({ path, message: `must have at least ${s.minProperties} propert${s.minProperties === 1 ? 'y' : 'ies'}` });
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
      out.push({ path, message: `must have at most ${s.maxProperties} propert${s.maxProperties === 1 ? 'y' : 'ies'}${s.properties ? ` (one of ${Object.keys(s.properties).join(', ')})` : ''}` });
    }
    for (const k of keys) {
      const p = `${path}/${pointerToken(k)}`;
      const ps = s.properties?.[k];
      if (ps) check(root, ps, obj[k], p, out);
      else if (s.additionalProperties === false) {
        out.push({ path: p, message: `unknown property "${k}"${s.properties ? `; expected one of ${Object.keys(s.properties).join(', ')}` : ''}` });
      } else if (typeof s.additionalProperties === 'object') check(root, s.additionalProperties, obj[k], p, out);
    }
  }
}

function describe(s: JsonSchema): string {
  if (s.type === undefined) return 'a value';
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`)).join(' or ');
}
