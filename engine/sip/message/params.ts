// Ordered, case-insensitive parameter lists: URI parameters and headers (RFC 3261 §19.1.1), header params (§7.3.1, §25.1 generic-param).

/** One parameter: name as written, value (`null` for a valueless parameter such as `;lr` or `;rport`). */
export type Param = readonly [name: string, value: string | null];

/**
 * An ordered parameter list whose names compare case-insensitively (RFC 3261 §7.3.1, §19.1.4).
 * For URI parameters values are unescaped text; for header parameters values are kept as written
 * (a quoted-string keeps its quotes — see {@link unquote}).
 */
export class Params implements Iterable<Param> {
  // Allocated on first add: most URIs carry no headers and many no parameters.
  #names: string[] | undefined;
  #values: (string | null)[] | undefined;

  constructor(entries?: Iterable<Param>) {
    if (entries) for (const [n, v] of entries) this.add(n, v);
  }

  /** Number of parameters. */
  get size(): number {
    return this.#names === undefined ? 0 : this.#names.length;
  }

  #index(name: string): number {
    const names = this.#names;
    if (names === undefined) return -1;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
    const lower = name.toLowerCase();
    for (let i = 0; i < names.length; i++) if (names[i].length === lower.length && names[i].toLowerCase() === lower) return i;
    return -1;
  }

  /** The value: a string, `null` when present without value, `undefined` when absent. */
  get(name: string): string | null | undefined {
    const i = this.#index(name);
    return i < 0 ? undefined : (this.#values as (string | null)[])[i];
  }

  /** True when the parameter is present (with or without value). */
  has(name: string): boolean {
    return this.#index(name) >= 0;
  }

  /** Sets (replacing the first of that name) or appends a parameter. */
  set(name: string, value: string | null = null): this {
    const i = this.#index(name);
    if (i < 0) this.add(name, value);
    else (this.#values as (string | null)[])[i] = value;
    return this;
  }

  /** Appends a parameter even if one of that name exists. */
  add(name: string, value: string | null = null): this {
    if (this.#names === undefined) {
      this.#names = [name];
      this.#values = [value];
    } else {
      this.#names.push(name);
      (this.#values as (string | null)[]).push(value);
    }
    return this;
  }

  /** Removes every parameter of that name; returns true if any was removed. */
  delete(name: string): boolean {
    let removed = false;
    for (let i = this.#index(name); i >= 0; i = this.#index(name)) {
      (this.#names as string[]).splice(i, 1);
      (this.#values as (string | null)[]).splice(i, 1);
      removed = true;
    }
    return removed;
  }

  /** The parameters in order. */
  *[Symbol.iterator](): Iterator<Param> {
    const n = this.size;
    for (let i = 0; i < n; i++) yield [(this.#names as string[])[i], (this.#values as (string | null)[])[i]];
  }

  /** Name at position i. */
  nameAt(i: number): string {
    return (this.#names as string[])[i];
  }

  /** Value at position i. */
  valueAt(i: number): string | null {
    return (this.#values as (string | null)[])[i];
  }

  /** A copy. */
  clone(): Params {
    const p = new Params();
    for (let i = 0; i < this.size; i++) p.add(this.nameAt(i), this.valueAt(i));
    return p;
  }

  /** `;name=value;flag` as written (header-parameter form: values are not escaped). */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.size; i++) {
      const v = this.valueAt(i);
      s += v === null ? `;${this.nameAt(i)}` : `;${this.nameAt(i)}=${v}`;
    }
    return s;
  }
}

/** `s` lower-cased, returned as is (no allocation) when it has no upper-case ASCII letter. */
export function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

/** Removes the quotes and quoted-pair escapes of a quoted-string (RFC 3261 §25.1); returns other text unchanged. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 34 || s.charCodeAt(s.length - 1) !== 34) return s;
  const inner = s.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

/** Quotes text as a quoted-string, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair). */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    out += c === '"' || c === '\\' ? `\\${c}` : c;
  }
  return `${out}"`;
}
