// Resource ids: a type prefix, 48 bits of creation time and 80 random bits in Crockford base32, so ids sort by creation (stable cursor pagination) and never collide in practice.
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Prefixes of the resource ids, one per table. */
export type IdPrefix = 'tn' | 'num' | 'ag' | 'flw' | 'call' | 'rec' | 'cnv' | 'msg' | 'wh' | 'evt' | 'key' | 'trj';

let lastMs = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * A new id `prefix_` + 26 base32 characters (10 of time, 16 of randomness). Within one millisecond ids
 * of this process still increase (the random part is incremented), so ordering by id is creation order.
 */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  let rnd: Uint8Array;
  if (now <= lastMs) {
    now = lastMs;
    rnd = increment(lastRandom);
  } else {
    rnd = randomBytes(10);
  }
  lastMs = now;
  lastRandom = rnd;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}${base32(rnd)}`;
}

/** True when `id` has the shape of an id made by {@link newId} with `prefix`. */
export function isId(id: string, prefix: IdPrefix): boolean {
  return id.length === prefix.length + 27 && id.startsWith(`${prefix}_`) && /^[0-9a-hjkmnp-tv-z]{26}$/.test(id.slice(prefix.length + 1));
}

function increment(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === 0xff) out[i] = 0;
    else {
      out[i]++;
      break;
    }
  }
  return out;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(acc << (5 - bits)) & 31];
  return out;
}
