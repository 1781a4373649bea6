// Ordered, case-insensitive parameter lists: URI parameters and headers (RFC 3261 §19.1.1), header params (§7.3.1, §25.1 generic-param).

/** One parameter: name as written, value (`null` for a valueless parameter such as `;lr` or `;rport`). */
export type Param = readonly [name: string, value: string | null];

/**
 * An ordered parameter list whose names compare case-insensitively (RFC 3261 §7.3.1, §19.1.4).
 * For URI parameters values are unescaped text; for header parameters values are kept as written
 * (a quoted-string keeps its quotes — see {@link unquote}).
 */
export class Params implements Iterable<Param> {
  #names: string[];
  #values: (string | null)[];

  constructor(entries?: Iterable<Param>) {
    this.#names = [];
    this.#values = [];
    if (entries) for (const [n, v] of entries) this.add(n, v);
  }

  /** Number of parameters. */
  get size(): number {
    return this.#names.length;
  }

  #index(name: string): number {
    const names = this.#names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
    const lower = name.toLowerCase();
    for (let i = 0; i < names.length; i++) if (names[i].toLowerCase() === lower) return i;
    return -1;
  }

  /** The value: a string, `null` when present without value, `undefined` when absent. */
  get(name: string): string | null | undefined {
    const i = this.#index(name);
    return i < 0 ? undefined : this.#values[i];
  }

  /** True when the parameter is present (with or without value). */
  has(name: string): boolean {
    return this.#index(name) >= 0;
  }

  /** Sets (replacing the first of that name) or appends a parameter. */
  set(name: string, value: string | null = null): this {
    const i = this.#index(name);
    if (i < 0) this.add(name, value);
    else this.#values[i] = value;
    return this;
  }

  /** Appends a parameter even if one of that name exists. */
  add(name: string, value: string | null = null): this {
    this.#names.push(name);
    this.#values.push(value);
    return this;
  }

  /** Removes every parameter of that name; returns true if any was removed. */
  delete(name: string): boolean {
    let removed = false;
    for (let i = this.#index(name); i >= 0; i = this.#index(name)) {
      this.#names.splice(i, 1);
      this.#values.splice(i, 1);
      removed = true;
    }
    return removed;
  }

  /** The parameters in order. */
  *[Symbol.iterator](): Iterator<Param> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i], this.#values[i]];
  }

  /** Name at position i. */
  nameAt(i: number): string {
    return this.#names[i];
  }

  /** Value at position i. */
  valueAt(i: number): string | null {
    return this.#values[i];
  }

  /** A copy. */
  clone(): Params {
    const p = new Params();
    for (let i = 0; i < this.#names.length; i++) p.add(this.#names[i], this.#values[i]);
    return p;
  }

  /** `;name=value;flag` as written (header-parameter form: values are not escaped). */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.#names.length; i++) {
      const v = this.#values[i];
      s += v === null ? `;${this.#names[i]}` : `;${this.#names[i]}=${v}`;
    }
    return s;
  }
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
