// fast-check arbitraries shared by this folder's property tests (RFC 3261 §25.1 character classes).
import fc from 'fast-check';

/**
 * One character, weighted towards what matters to the Digest grammar: quotes, backslash, separators, CR/LF,
 * controls, DEL, printable ASCII, and non-ASCII up to astral code points (never a lone surrogate).
 * (fast-check's `unit: 'binary'` covers the same ground but is very slow to generate.)
 */
export const anyChar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('"', '\\', ',', '=', ' ', '\t', '\r', '\n', '\u0000', '\u0001', '\u007f', 'D', 'i', 'g', 'e', 's', 't'),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
);

/** Any string of {@link anyChar}. */
export function anyText(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: anyChar, ...constraints });
}

/** Text a quoted-string can carry: anything but CR and LF. */
export function quotableText(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: anyChar.filter((c) => c !== '\r' && c !== '\n'), ...constraints });
}
