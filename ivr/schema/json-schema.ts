// A small JSON Schema validator for the subset of draft 2020-12 the flow schema is written in (JSON Schema Validation §6, Core §8.2.3 $ref, §10.3 applicators; RFC 6901 JSON Pointer for fault paths).
//
// Why our own: the flow schema is data we publish (admin API, editors) and validate with on every save; the keywords it
// uses are few, and faults must name their JSON Pointer path with messages an editor can show. Unsupported keywords
// are refused up front by `unsupportedKeywords` (tested against FLOW_SCHEMA) rather than silently ignored.

/** JSON value types of JSON Schema Validation §6.1.1. */
export type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

/** The keywords this validator understands (annotations included). */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  $comment?: string;
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  type?: JsonType | JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

/** One validation fault: a JSON Pointer (RFC 6901) into the document and a message for people. */
export interface Fault {
  path: string;
  message: string;
}

const KEYWORDS = new Set<string>([
  '$schema', '$id', '$ref', '$defs', '$comment', 'title', 'description', 'default', 'examples', 'type', 'enum', 'const',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'maxProperties', 'items',
  'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum',
  'oneOf', 'anyOf',
]);

/** Escapes one reference token (RFC 6901 §3: `~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins a base pointer and tokens: `pointer('/nodes', 'a/b')` → `/nodes/a~1b`. */
export function pointer(base: string, ...tokens: Array<string | number>): string {
  let out = base;
  for (const t of tokens) out += '/' + escapePointerToken(String(t));
  return out;
}

/** Lists `path: keyword` for every keyword in `schema` this validator does not implement (should be empty). */
export function unsupportedKeywords(schema: JsonSchema, path = '#'): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema)) {
    if (!KEYWORDS.has(k)) out.push(`${path}: ${k}`);
    if (k === 'properties' || k === '$defs') {
      for (const [name, sub] of Object.entries(v as Record<string, JsonSchema>)) out.push(...unsupportedKeywords(sub, `${path}/${k}/${name}`));
    } else if (k === 'items' || k === 'propertyNames' || (k === 'additionalProperties' && typeof v === 'object')) {
      out.push(...unsupportedKeywords(v as JsonSchema, `${path}/${k}`));
    } else if (k === 'oneOf' || k === 'anyOf') {
      (v as JsonSchema[]).forEach((sub, i) => out.push(...unsupportedKeywords(sub, `${path}/${k}/${i}`)));
    }
  }
  return out;
}

function typeOf(value: unknown): JsonType | 'undefined' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      return Number.isFinite(value) ? (Number.isInteger(value) ? 'integer' : 'number') : 'other';
    case 'object':
      return 'object';
    case 'undefined':
      return 'undefined';
    default:
      return 'other';
  }
}

function hasType(value: unknown, type: JsonType): boolean {
  const t = typeOf(value);
  return t === type || (type === 'number' && t === 'integer');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function describeValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

const patternCache = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let re = patternCache.get(source);
  if (re === undefined) {
    re = new RegExp(source, 'u');
    patternCache.set(source, re);
  }
  return re;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Validates `value` against `schema`. `root` resolves `$ref: "#/$defs/name"`. Faults are reported with JSON Pointer
 * paths below `path`; for `oneOf` with no match, the faults of the closest alternative are reported (the one selected
 * by a `const` discriminator, else the one recognising most of the object's properties).
 *
 * @throws {TypeError} for a `$ref` that does not resolve (a bug in the schema, not in the document)
 */
export function validateAgainst(schema: JsonSchema, value: unknown, root: JsonSchema = schema, path = ''): Fault[] {
  const faults: Fault[] = [];
  check(schema, value, root, path, faults);
  return faults;
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const target = m ? root.$defs?.[m[1]] : undefined;
  if (target === undefined) throw new TypeError(`unresolvable $ref ${ref}`);
  return target;
}

function check(schema: JsonSchema, value: unknown, root: JsonSchema, path: string, faults: Fault[]): void {
  if (schema.$ref !== undefined) {
    check(resolveRef(schema.$ref, root), value, root, path, faults);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) {
      faults.push({ path, message: `must be ${types.join(' or ')}` });
      return; // the remaining keywords would only repeat the type fault
    }
  }
  if (schema.const !== undefined && !deepEqual(value, schema.const)) {
    faults.push({ path, message: `must be ${describeValue(schema.const)}` });
    return;
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))) {
    faults.push({ path, message: `must be one of ${schema.enum.map(describeValue).join(', ')}` });
    return;
  }
  if (typeof value === 'string') checkString(schema, value, path, faults);
  else if (typeof value === 'number') checkNumber(schema, value, path, faults);
  else if (Array.isArray(value)) checkArray(schema, value, root, path, faults);
  else if (isPlainObject(value)) checkObject(schema, value, root, path, faults);
  if (schema.oneOf !== undefined) checkOneOf(schema.oneOf, value, root, path, faults, true);
  if (schema.anyOf !== undefined) checkOneOf(schema.anyOf, value, root, path, faults, false);
}

function checkString(schema: JsonSchema, value: string, path: string, faults: Fault[]): void {
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    const n = codePoints(value);
    if (schema.minLength !== undefined && n < schema.minLength) {
      faults.push({ path, message: schema.minLength === 1 ? 'must not be empty' : `must have at least ${schema.minLength} characters` });
    }
    if (schema.maxLength !== undefined && n > schema.maxLength) faults.push({ path, message: `must have at most ${schema.maxLength} characters` });
  }
  if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) {
    faults.push({ path, message: `must match ${schema.pattern}` });
  }
}

function checkNumber(schema: JsonSchema, value: number, path: string, faults: Fault[]): void {
  if (schema.minimum !== undefined && value < schema.minimum) faults.push({ path, message: `must be ≥ ${schema.minimum}` });
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) faults.push({ path, message: `must be > ${schema.exclusiveMinimum}` });
  if (schema.maximum !== undefined && value > schema.maximum) faults.push({ path, message: `must be ≤ ${schema.maximum}` });
}

function checkArray(schema: JsonSchema, value: unknown[], root: JsonSchema, path: string, faults: Fault[]): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) faults.push({ path, message: `must have at least ${schema.minItems} items` });
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    faults.push({ path, message: `must have at most ${schema.maxItems} items` });
    return; // do not walk a huge array
  }
  if (schema.items !== undefined) value.forEach((item, i) => check(schema.items!, item, root, pointer(path, i), faults));
  if (schema.uniqueItems === true) {
    for (let i = 1; i < value.length; i++) {
      if (value.slice(0, i).some((prev) => deepEqual(prev, value[i]))) {
        faults.push({ path: pointer(path, i), message: 'duplicates an earlier item' });
      }
    }
  }
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, root: JsonSchema, path: string, faults: Fault[]): void {
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    faults.push({ path, message: `must have at least ${schema.minProperties} ${schema.minProperties === 1 ? 'entry' : 'entries'}` });
  }
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    faults.push({ path, message: `must have at most ${schema.maxProperties} entries` });
    return;
  }
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) faults.push({ path: pointer(path, name), message: 'is required' });
  }
  const props = schema.properties ?? {};
  for (const key of keys) {
    const sub = Object.hasOwn(props, key) ? props[key] : undefined;
    const at = pointer(path, key);
    if (schema.propertyNames !== undefined) {
      const nameFaults = validateAgainst(schema.propertyNames, key, root, at);
      if (nameFaults.length > 0) {
        faults.push({ path: at, message: `name ${JSON.stringify(key)} ${nameFaults[0].message}` });
        continue;
      }
    }
    if (sub !== undefined) {
      check(sub, value[key], root, at, faults);
    } else if (schema.additionalProperties === false) {
      faults.push({ path: at, message: 'is not a known field' });
    } else if (typeof schema.additionalProperties === 'object') {
      check(schema.additionalProperties, value[key], root, at, faults);
    }
  }
}

/** The property every alternative pins with `const` (e.g. a node's `type`), if any. */
function discriminator(alternatives: JsonSchema[], root: JsonSchema): string | undefined {
  const resolved = alternatives.map((a) => (a.$ref !== undefined ? resolveRef(a.$ref, root) : a));
  const first = resolved[0]?.properties;
  if (first === undefined) return undefined;
  for (const [name, sub] of Object.entries(first)) {
    if (sub.const === undefined) continue;
    if (resolved.every((a) => a.properties?.[name]?.const !== undefined && a.required?.includes(name))) return name;
  }
  return undefined;
}

function checkOneOf(alternatives: JsonSchema[], value: unknown, root: JsonSchema, path: string, faults: Fault[], exactlyOne: boolean): void {
  const results = alternatives.map((alt) => validateAgainst(alt, value, root, path));
  const passing = results.filter((r) => r.length === 0).length;
  if (passing === 1 || (!exactlyOne && passing > 1)) return;
  if (passing > 1) {
    faults.push({ path, message: 'matches more than one alternative' });
    return;
  }
  // No alternative matched: report the closest one's faults.
  const resolved = alternatives.map((a) => (a.$ref !== undefined ? resolveRef(a.$ref, root) : a));
  const tag = isPlainObject(value) ? discriminator(alternatives, root) : undefined;
  if (tag !== undefined && isPlainObject(value)) {
    const i = resolved.findIndex((a) => deepEqual(a.properties![tag].const, value[tag]));
    if (i >= 0) {
      faults.push(...results[i]);
    } else if (!Object.hasOwn(value, tag)) {
      faults.push({ path: pointer(path, tag), message: 'is required' });
    } else {
      faults.push({ path: pointer(path, tag), message: `must be one of ${resolved.map((a) => describeValue(a.properties![tag].const)).join(', ')}` });
    }
    return;
  }
  let best = -1;
  let bestScore = -Infinity;
  results.forEach((r, i) => {
    const alt = resolved[i];
    const typeOk = !r.some((f) => f.path === path && f.message.startsWith('must be '));
    let score = typeOk ? 1000 : 0;
    if (isPlainObject(value) && alt.properties !== undefined) {
      score += 10 * Object.keys(value).filter((k) => Object.hasOwn(alt.properties!, k)).length;
    }
    score -= r.length;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  const closest = results[best];
  const onlyTypeFaults = closest.every((f) => f.path === path);
  if (bestScore < 1000 || (onlyTypeFaults && closest.length > 0 && bestScore < 1010)) {
    faults.push({ path, message: describeAlternatives(resolved) });
  } else {
    faults.push(...closest);
  }
}

function describeAlternatives(alternatives: JsonSchema[]): string {
  const parts = alternatives.map((a) => {
    if (a.const !== undefined) return describeValue(a.const);
    if (a.enum !== undefined) return a.enum.map(describeValue).join(', ');
    if (a.properties !== undefined && a.required !== undefined && a.required.length > 0) return `{${a.required.join(', ')}}`;
    if (a.type !== undefined) return Array.isArray(a.type) ? a.type.join(' or ') : a.type;
    return 'another form';
  });
  return `must be one of: ${parts.join(' | ')}`;
}
