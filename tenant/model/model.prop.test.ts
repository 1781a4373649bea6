// Properties of the tenant model rules: normalisation is idempotent and total (only ValidationError), called identities are unique and reversible (RFC 3261 §19.1.1 user@host).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  calledIdentity,
  isGatewayUsername,
  normalizeDomain,
  normalizeExtension,
  normalizeNumber,
  parseCalledIdentity,
  tryNormalizeDomain,
  tryNormalizeNumber,
} from './index.ts';

const unicodeLabels = ['münchen', 'café', '例え', 'テスト', 'straße', 'Ωmega', 'çağrı', 'привет'];

/** Domains as people type them: mixed case, IDN labels, an optional trailing dot and spaces. */
const typedDomain = fc
  .tuple(
    fc.array(fc.oneof(fc.domain().map((d) => d.split('.')[0]), fc.constantFrom(...unicodeLabels)), { minLength: 0, maxLength: 2 }),
    fc.domain(),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([extra, base, upper, dot]) => {
    const d = [...extra, base].join('.');
    return `${upper ? asciiUpper(d) : d}${dot ? '.' : ''}`;
  });

/** Upper-cases ASCII letters only: Unicode case mappings are not reversible (ß → SS, ı → I). */
const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());

const separators = fc.constantFrom(' ', '-', '.', '(', ')', '');

/** Numbers as people type them: digits with separators sprinkled in and an optional +. */
const typedNumber = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), separators), { minLength: 1, maxLength: 20 }))
  .map(([plus, parts]) => `${plus ? '+' : ''}${parts.map(([d, s]) => `${d}${s}`).join('')}`);

function onlyValidationErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
  }
}

describe('normalisation properties', () => {
  it('domain normalisation is idempotent and ASCII case-insensitive', () => {
    fc.assert(
      fc.property(typedDomain, (d) => {
        const n = tryNormalizeDomain(d);
        if (n === undefined) return; // e.g. a generated label that UTS #46 rejects
        expect(normalizeDomain(n)).toBe(n);
        expect(normalizeDomain(asciiUpper(d))).toBe(n);
        expect(n).toMatch(/^[a-z0-9.-]+$/);
        expect(n.endsWith('.')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('every fc.domain() is accepted', () => {
    fc.assert(
      fc.property(
        fc.domain().filter((d) => d.includes('.') && !/\.[0-9]+$/.test(d)),
        (d) => {
          expect(normalizeDomain(d)).toBe(d.toLowerCase());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('arbitrary strings give a valid domain or a ValidationError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        onlyValidationErrors(() => {
          const n = normalizeDomain(s);
          expect(normalizeDomain(n)).toBe(n);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('number normalisation is idempotent and ignores visual separators (RFC 3966 §5.1.4)', () => {
    fc.assert(
      fc.property(typedNumber, (s) => {
        const n = normalizeNumber(s);
        expect(normalizeNumber(n)).toBe(n);
        expect(n).toBe(s.replace(/[ \-.()]/g, ''));
        expect(n).toMatch(/^\+?[0-9]+$/);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary strings give a valid number or a ValidationError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        onlyValidationErrors(() => {
          const n = normalizeNumber(s);
          expect(normalizeNumber(n)).toBe(n);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('extension normalisation is idempotent and never yields a gateway account name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        onlyValidationErrors(() => {
          const e = normalizeExtension(s);
          expect(normalizeExtension(e)).toBe(e);
          expect(isGatewayUsername(e)).toBe(false);
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('called identity properties', () => {
  it('round-trips through parseCalledIdentity, from typed input and from a SIP URI', () => {
    fc.assert(
      fc.property(typedNumber, typedDomain, (num, dom) => {
        const d = tryNormalizeDomain(dom);
        if (d === undefined) return;
        const id = calledIdentity(num, dom);
        const parts = parseCalledIdentity(id);
        expect(parts).toEqual({ number: normalizeNumber(num), domain: d });
        expect(parseCalledIdentity(`sip:${encodeURIComponent(normalizeNumber(num))}@${asciiUpper(dom)};user=phone`)).toEqual(parts);
      }),
      { numRuns: 300 },
    );
  });

  it('is unique across tenants: distinct (number, domain) pairs after normalisation never share an identity', () => {
    const tenants = fc.uniqueArray(typedDomain, { minLength: 1, maxLength: 6, selector: (d) => tryNormalizeDomain(d) ?? d });
    fc.assert(
      fc.property(tenants, fc.array(fc.array(typedNumber, { maxLength: 6 }), { minLength: 6, maxLength: 6 }), (domains, numbers) => {
        const seen = new Map<string, string>();
        domains.forEach((dom, i) => {
          const d = tryNormalizeDomain(dom);
          if (d === undefined) return;
          for (const num of numbers[i]) {
            const key = `${normalizeNumber(num)}|${d}`;
            const id = calledIdentity(num, dom);
            const before = seen.get(id);
            // the same identity only ever comes from the same normalised (number, domain) pair
            if (before !== undefined) expect(before).toBe(key);
            seen.set(id, key);
          }
        });
        // and the map is injective the other way round too
        expect(new Set(seen.values()).size).toBe(seen.size);
      }),
      { numRuns: 200 },
    );
  });

  it('a called identity never parses from an extension-only user part', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/), fc.domain(), (user, dom) => {
        expect(tryNormalizeNumber(user)).toBeUndefined();
        expect(parseCalledIdentity(`${user}@${dom}`)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});
