// Benchmark: SIP digest verification (RFC 7616 §3.4, RFC 3261 §22) — our DigestAuthenticator against a naive regex/password implementation, in the same run.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DigestAuthenticator, answerChallenge, computeHa1 } from '../../engine/sip/auth/index.ts';
import type { DigestAlgorithm } from '../../engine/sip/auth/index.ts';
import { FULL_RATE, QUICK_RATE, compared, measureRate, rate } from '../harness.ts';
import type { BenchResult, BenchSuite } from '../harness.ts';

const REALM = 'acme.example.com';
const SECRET = 'bench-secret-bench-secret-32byte';
/** REGISTERs verified per measured call: each has its own nonce (the 401 → REGISTER pattern), nc=1. */
const BATCH = 1024;
const USERS = 200;
const NOW = 1_700_000_000_000;

interface Workload {
  headers: string[];
  /** What a tenant store keeps: username → HA1 per hash function. */
  ha1: Map<string, { md5: string; sha256: string }>;
  /** What the naive baseline keeps: username → password. */
  passwords: Map<string, string>;
}

function workload(algorithm: DigestAlgorithm): Workload {
  const clock = { now: () => NOW };
  const auth = new DigestAuthenticator({ secret: SECRET, clock, algorithms: [algorithm] });
  const ha1 = new Map<string, { md5: string; sha256: string }>();
  const passwords = new Map<string, string>();
  for (let i = 0; i < USERS; i++) {
    const user = `${1000 + i}`;
    const password = `pw-${i}-${(i * 7919).toString(36)}`;
    passwords.set(user, password);
    ha1.set(user, { md5: computeHa1('MD5', user, REALM, password), sha256: computeHa1('SHA-256', user, REALM, password) });
  }
  const headers: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const user = `${1000 + (i % USERS)}`;
    headers.push(
      answerChallenge({
        challengeHeader: auth.challenge(REALM)[0],
        method: 'REGISTER',
        uri: `sip:${REALM}`,
        username: user,
        password: passwords.get(user)!,
        nc: 1,
      }),
    );
  }
  return { headers, ha1, passwords };
}

/** Ours: parse + nonce MAC and age + HA1 lookup (synchronous) + response + replay table, per header. */
function oursBatch(w: Workload, algorithm: DigestAlgorithm): () => void {
  const clock = { now: () => NOW + 1000 };
  const lookupHa1 = (user: string, _realm: string, alg: DigestAlgorithm): string | undefined => {
    const e = w.ha1.get(user);
    return e === undefined ? undefined : alg === 'MD5' || alg === 'MD5-sess' ? e.md5 : e.sha256;
  };
  return () => {
    // A fresh authenticator per batch so every REGISTER is a first use of its nonce (no replay refusals).
    const auth = new DigestAuthenticator({ secret: SECRET, clock, algorithms: [algorithm] });
    let ok = 0;
    for (const header of w.headers) {
      if (auth.verify({ header, method: 'REGISTER', realm: REALM, lookupHa1 }).ok) ok++;
    }
    if (ok !== BATCH) throw new Error(`digest bench: ${BATCH - ok} verifications failed`);
  };
}

/**
 * The naive baseline: a regular expression per parameter, HA1 recomputed from the stored password on every
 * request, the nonce decoded and MAC-checked through Buffer allocations, nc replay kept in a Map.
 */
function naiveVerify(header: string, method: string, realm: string, passwords: Map<string, string>, seen: Map<string, number>, now: number): boolean {
  if (!/^\s*Digest\s+/i.test(header)) return false;
  const get = (name: string): string | undefined => {
    const m = new RegExp(`(?:^Digest\\s+|,\\s*)${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s,]+))`, 'i').exec(header);
    return m === null ? undefined : (m[1] ?? m[2]);
  };
  const username = get('username');
  const r = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response');
  const algorithm = get('algorithm') ?? 'MD5';
  const qop = get('qop');
  const nc = get('nc');
  const cnonce = get('cnonce');
  if (!username || r !== realm || !nonce || !uri || !response || qop !== 'auth' || !nc || !cnonce) return false;
  const h = algorithm.toUpperCase() === 'SHA-256' ? 'sha256' : 'md5';
  const raw = Buffer.from(nonce, 'base64url');
  if (raw.length !== 32) return false;
  const mac = createHmac('sha256', SECRET).update(raw.subarray(0, 16)).update(realm).digest();
  if (!timingSafeEqual(mac.subarray(0, 16), raw.subarray(16))) return false;
  if (now - raw.readUIntBE(0, 6) > 300_000) return false;
  const password = passwords.get(username);
  if (password === undefined) return false;
  const ha1 = createHash(h).update(`${username}:${realm}:${password}`).digest('hex');
  const ha2 = createHash(h).update(`${method}:${uri}`).digest('hex');
  const expected = createHash(h).update(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`).digest('hex');
  if (expected !== response.toLowerCase()) return false;
  const count = Number.parseInt(nc, 16);
  if ((seen.get(nonce) ?? 0) >= count) return false;
  seen.set(nonce, count);
  return true;
}

function naiveBatch(w: Workload): () => void {
  return () => {
    const seen = new Map<string, number>();
    let ok = 0;
    for (const header of w.headers) if (naiveVerify(header, 'REGISTER', REALM, w.passwords, seen, NOW + 1000)) ok++;
    if (ok !== BATCH) throw new Error(`naive digest bench: ${BATCH - ok} verifications failed`);
  };
}

export const suite: BenchSuite = {
  name: 'digest',
  async run(ctx) {
    const opts = ctx.quick ? QUICK_RATE : FULL_RATE;
    const results: BenchResult[] = [];
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      const w = workload(algorithm);
      const ours = measureRate(oursBatch(w, algorithm), BATCH, opts);
      const naive = measureRate(naiveBatch(w), BATCH, opts);
      results.push(
        compared(`digest verify ${algorithm} qop=auth (parse+nonce+replay)`, 'verifications/s', ours, 'naive: regex parse, HA1 from password', naive),
      );
    }
    const auth = new DigestAuthenticator({ secret: SECRET, clock: { now: () => NOW } });
    results.push(rate('digest challenge (SHA-256 + MD5 headers)', 'challenges/s', measureRate(() => auth.challenge(REALM), 1, opts)));
    return results;
  },
};
