// Character classes of the SIP grammar (RFC 3261 §25.1) as lookup tables over ASCII; URI escaping (§19.1.2).
import { isUtf8 } from 'node:buffer';

/* Bit flags per ASCII code. */
export const ALNUM = 1;
/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = 2;
/** unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
export const UNRESERVED = 4;
/** word (Call-ID) = token chars plus ( ) < > : \ " / [ ] ? { } */
export const WORD = 8;
/** user = unreserved / escaped / user-unreserved ("&" / "=" / "+" / "$" / "," / ";" / "?" / "/") */
export const USER = 16;
/** password = unreserved / escaped / "&" / "=" / "+" / "$" / "," */
export const PASSWORD = 32;
/** paramchar = param-unreserved ("[" / "]" / "/" / ":" / "&" / "+" / "$") / unreserved / escaped */
export const PARAMCHAR = 64;
/** hname/hvalue = hnv-unreserved ("[" / "]" / "/" / "?" / ":" / "+" / "$") / unreserved / escaped */
export const HNV = 128;
/** hostname chars: alphanum / "-" / "." */
export const HOSTCHAR = 256;
/** scheme chars after the first: alphanum / "+" / "-" / "." */
export const SCHEME = 512;

export const CLASS: Uint16Array = (() => {
  const t = new Uint16Array(128);
  const add = (chars: string, flag: number): void => {
    for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] |= flag;
  };
  let alnum = '';
  for (let c = 48; c <= 57; c++) alnum += String.fromCharCode(c);
  for (let c = 65; c <= 90; c++) alnum += String.fromCharCode(c) + String.fromCharCode(c + 32);
  add(alnum, ALNUM | TOKEN | UNRESERVED | WORD | USER | PASSWORD | PARAMCHAR | HNV | HOSTCHAR | SCHEME);
  add("-.!%*_+`'~", TOKEN | WORD);
  add("-_.!~*'()", UNRESERVED | USER | PASSWORD | PARAMCHAR | HNV);
  add('()<>:\\"/[]?{}', WORD);
  add('&=+$,;?/', USER);
  add('&=+$,', PASSWORD);
  add('[]/:&+$', PARAMCHAR);
  add('[]/?:+$', HNV);
  add('-.', HOSTCHAR);
  add('+-.', SCHEME);
  return t;
})();

/** True when every char of `s` (non-empty) has `flag`. */
export function allOf(s: string, flag: number): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & flag) === 0) return false;
  }
  return true;
}

/** token per RFC 3261 §25.1. */
export function isToken(s: string): boolean {
  return allOf(s, TOKEN);
}

/** word per RFC 3261 §25.1 (Call-ID halves). */
export function isWord(s: string): boolean {
  return allOf(s, WORD);
}

/** True for SP or HTAB. */
export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

const HEX = '0123456789ABCDEF';

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Checks `s` against a URI component class (escapes allowed) and unescapes it (RFC 3261 §19.1.2).
 * Returns undefined when a char is not allowed or an escape is malformed. One round only: `%2541` → `%41`.
 */
export function unescapeComponent(s: string, flag: number, allowEmpty = false): string | undefined {
  if (s.length === 0) return allowEmpty ? '' : undefined;
  let hasPct = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (i + 2 >= s.length) return undefined;
      if (hexVal(s.charCodeAt(i + 1)) < 0 || hexVal(s.charCodeAt(i + 2)) < 0) return undefined;
      hasPct = true;
      i += 2;
      continue;
    }
    if (c >= 128 || (CLASS[c] & flag) === 0) return undefined;
  }
  if (!hasPct) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      bytes.push((hexVal(s.charCodeAt(i + 1)) << 4) | hexVal(s.charCodeAt(i + 2)));
      i += 2;
    } else bytes.push(c);
  }
  const buf = Buffer.from(bytes);
  // Escaped octets are UTF-8 text in practice; keep other octets one char each so nothing is lost.
  return isUtf8(buf) ? buf.toString('utf8') : buf.toString('latin1');
}

/** Escapes every char of `s` not in `flag` as %HH of its UTF-8 octets (upper-case hex). */
export function escapeComponent(s: string, flag: number): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CLASS[c] & flag) === 0) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && (CLASS[c] & flag) !== 0) {
      out += s[i];
      continue;
    }
    let chunk: string;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      chunk = s.slice(i, i + 2);
      i++;
    } else chunk = s[i];
    for (const b of Buffer.from(chunk, 'utf8')) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}
