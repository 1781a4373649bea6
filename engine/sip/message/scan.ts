// Low-level scanning of header values: LWS, tokens, quoted-strings, generic-params (RFC 3261 §25.1, §7.3.1).
import { CLASS, TOKEN } from './chars.ts';
import { badHeader } from './errors.ts';
import type { Params } from './params.ts';

/** Index of the first char at or after `pos` that is not SP/HTAB. */
export function skipWs(s: string, pos: number): number {
  while (pos < s.length) {
    const c = s.charCodeAt(pos);
    if (c !== 32 && c !== 9) break;
    pos++;
  }
  return pos;
}

/** Index after the run of token chars starting at `pos` (== pos when none). */
export function scanToken(s: string, pos: number): number {
  while (pos < s.length) {
    const c = s.charCodeAt(pos);
    if (c >= 128 || (CLASS[c] & TOKEN) === 0) break;
    pos++;
  }
  return pos;
}

/**
 * Index after the closing quote of the quoted-string opening at `pos`, or -1 when it is unterminated or holds
 * a control char outside a quoted-pair (qdtext, RFC 3261 §25.1).
 */
export function scanQuoted(s: string, pos: number): number {
  for (let i = pos + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      const n = s.charCodeAt(i + 1);
      if (i + 1 >= s.length || n === 10 || n === 13) return -1;
      i++;
    } else if (c === 34) return i + 1;
    else if ((c < 32 && c !== 9) || c === 127) return -1;
  }
  return -1;
}

/** Index after a generic-param value: token, host (IPv6 reference, or bare IPv6 as in `received`) or quoted-string. */
function scanGenValue(s: string, pos: number, header: string): number {
  const c = s.charCodeAt(pos);
  if (c === 34) {
    const end = scanQuoted(s, pos);
    if (end < 0) throw badHeader(header, 'unterminated quoted string in parameter');
    return end;
  }
  if (c === 91) {
    const close = s.indexOf(']', pos);
    if (close < 0) throw badHeader(header, 'unterminated IPv6 reference in parameter');
    return close + 1;
  }
  let i = pos;
  while (i < s.length) {
    const d = s.charCodeAt(i);
    if (d === 58 || (d < 128 && (CLASS[d] & TOKEN) !== 0)) i++;
    else break;
  }
  if (i === pos) throw badHeader(header, 'parameter without value after "="');
  return i;
}

/**
 * Parses `*( SEMI generic-param )` from `pos` to the end of `s` into `into` (values as written, quotes kept).
 * LWS is allowed around ";" and "=". Empty parameters (`;;`) are an error (RFC 4475 §3.1.2.1).
 * @throws SipParseError code `bad-header`.
 */
export function parseParamsAt(s: string, pos: number, header: string, into: Params): void {
  for (;;) {
    pos = skipWs(s, pos);
    if (pos >= s.length) return;
    if (s.charCodeAt(pos) !== 59) throw badHeader(header, `unexpected "${s[pos]}"`);
    pos = skipWs(s, pos + 1);
    const nameEnd = scanToken(s, pos);
    if (nameEnd === pos) throw badHeader(header, 'empty parameter');
    const name = s.slice(pos, nameEnd);
    pos = skipWs(s, nameEnd);
    if (pos < s.length && s.charCodeAt(pos) === 61) {
      pos = skipWs(s, pos + 1);
      const end = scanGenValue(s, pos, header);
      into.add(name, s.slice(pos, end));
      pos = end;
    } else into.add(name, null);
  }
}
