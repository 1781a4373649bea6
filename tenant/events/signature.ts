// Webhook signatures: HMAC-SHA256 over "timestamp.body" (RFC 2104 HMAC, FIPS 180-4 SHA-256), sent as `X-Hotline-Signature: t=<unix seconds>,v1=<hex>`, and the receiver-side check with a timestamp tolerance against replays.
import { createHmac } from 'node:crypto';
import { safeEqual } from '../model/index.ts';

/** The header carrying the signature. */
export const SIGNATURE_HEADER = 'x-hotline-signature';

/** hex(HMAC-SHA256(secret, `${timestamp}.${body}`)). */
export function signPayload(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value for a body sent at `timestamp` (unix seconds): `t=…,v1=…`. */
export function signatureHeader(secret: string, timestamp: number, body: string | Uint8Array): string {
  return `t=${timestamp},v1=${signPayload(secret, timestamp, body)}`;
}

/** Why a signature was refused. */
export type SignatureFault = 'malformed' | 'stale' | 'mismatch';

/**
 * Verifies a received `X-Hotline-Signature` against the raw body: any `v1` may match (several are sent while
 * a secret rotates), and the timestamp must be within `toleranceSec` of `nowSec` (default 300 s).
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string | Uint8Array,
  opts: { toleranceSec?: number; nowSec?: number } = {},
): { ok: true; timestamp: number } | { ok: false; fault: SignatureFault } {
  if (header === undefined) return { ok: false, fault: 'malformed' };
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) v1.push(v);
  }
  if (t === undefined || v1.length === 0) return { ok: false, fault: 'malformed' };
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSec ?? 300)) return { ok: false, fault: 'stale' };
  const expected = signPayload(secret, t, body);
  return v1.some((s) => safeEqual(s, expected)) ? { ok: true, timestamp: t } : { ok: false, fault: 'mismatch' };
}
