// Client side of SIP digest authentication: pick a challenge and compute the Authorization value (RFC 3261 §22.2–§22.3, RFC 7616 §3.4 and §3.7, RFC 8760 §2.4).
import { randomBytes } from 'node:crypto';
import { DigestChallengeError, DigestParseError } from './errors.ts';
import { parseChallenge, serializeCredentials } from './header.ts';
import type { DigestChallenge } from './header.ts';
import { DIGEST_ALGORITHMS, computeHa1, computeUserhash, isSessionAlgorithm, responseOf, toDigestAlgorithm } from './hash.ts';
import type { DigestAlgorithm } from './hash.ts';

/** Parameters of {@link answerChallenge}. Give either `password` or `ha1`. */
export interface AnswerChallengeParams {
  /** The `WWW-Authenticate` / `Proxy-Authenticate` value, or the already parsed challenge. */
  challengeHeader: string | DigestChallenge;
  method: string;
  /** The digest-uri: in SIP the Request-URI of the request being authorized (RFC 3261 §22.4). */
  uri: string;
  username: string;
  password?: string;
  /** H(username:realm:password) with the challenge's hash function, lowercase hex (instead of `password`). */
  ha1?: string;
  /** Message body, for qop=auth-int (absent = empty). */
  body?: Uint8Array;
  /** Client nonce; default 16 random hex digits. */
  cnonce?: string;
  /** Nonce-count: how many requests this client has sent with this nonce, including this one. Default 1. */
  nc?: number;
}

/** A challenge chosen by {@link chooseChallenge}. */
export interface ChosenChallenge {
  /** The header value as received. */
  header: string;
  /** Its index in the list given. */
  index: number;
  challenge: DigestChallenge;
  algorithm: DigestAlgorithm;
}

/** The qop a client answers with: `auth` if offered, else `auth-int`; `undefined` for RFC 2069 style. */
function pickQop(ch: DigestChallenge): 'auth' | 'auth-int' | undefined | null {
  if (ch.qop === undefined || ch.qop.length === 0) return undefined;
  if (ch.qop.includes('auth')) return 'auth';
  if (ch.qop.includes('auth-int')) return 'auth-int';
  return null;
}

/**
 * Computes the `Authorization` (or `Proxy-Authorization`) value answering one Digest challenge.
 * Echoes realm, nonce, opaque and algorithm; uses qop=auth when offered (else auth-int, else none); hashes
 * the username when the challenge says `userhash=true` (RFC 7616 §3.4.4).
 * @throws {DigestParseError} if `challengeHeader` does not parse.
 * @throws {DigestChallengeError} `unsupported-algorithm`, `unsupported-qop`, `sess-without-qop`.
 * @throws {TypeError} when neither `password` nor `ha1` is given, or `nc` is not in 1…0xffffffff.
 */
export function answerChallenge(p: AnswerChallengeParams): string {
  const ch = typeof p.challengeHeader === 'string' ? parseChallenge(p.challengeHeader) : p.challengeHeader;
  const algorithm = toDigestAlgorithm(ch.algorithm);
  if (algorithm === undefined) throw new DigestChallengeError('unsupported-algorithm', `algorithm ${String(ch.algorithm)} is not implemented`);
  const qop = pickQop(ch);
  if (qop === null) throw new DigestChallengeError('unsupported-qop', `no implemented qop among ${ch.qop?.join(',')}`);
  if (qop === undefined && isSessionAlgorithm(algorithm)) {
    throw new DigestChallengeError('sess-without-qop', `${algorithm} needs a cnonce, which only exists with qop`);
  }
  let ha1: string;
  if (p.ha1 !== undefined) ha1 = p.ha1;
  else if (p.password !== undefined) ha1 = computeHa1(algorithm, p.username, ch.realm, p.password);
  else throw new TypeError('password or ha1: one is required');

  const ncNumber = p.nc ?? 1;
  if (!Number.isInteger(ncNumber) || ncNumber < 1 || ncNumber > 0xffffffff) throw new TypeError('nc: must be an integer in 1…0xffffffff');
  const nc = qop === undefined ? undefined : ncNumber.toString(16).padStart(8, '0');
  const cnonce = qop === undefined && !isSessionAlgorithm(algorithm) ? undefined : (p.cnonce ?? randomBytes(8).toString('hex'));
  const response = responseOf(algorithm, ha1, ch.nonce, p.method, p.uri, qop, nc ?? '', cnonce ?? '', p.body);
  const userhash = ch.userhash === true;
  return serializeCredentials({
    username: userhash ? computeUserhash(algorithm, p.username, ch.realm) : p.username,
    realm: ch.realm,
    nonce: ch.nonce,
    uri: p.uri,
    response,
    algorithm: ch.algorithm === undefined ? undefined : algorithm,
    cnonce,
    opaque: ch.opaque,
    qop,
    nc,
    userhash: userhash ? true : undefined,
  });
}

/**
 * Picks the challenge to answer among several (e.g. the WWW-Authenticate values of one 401): the strongest
 * implemented algorithm (SHA-256, SHA-256-sess, MD5, MD5-sess), the server's order breaking ties
 * (RFC 8760 §2.4). Values that do not parse, other schemes, unknown algorithms or qops are skipped.
 * @param opts.realm only consider challenges for this realm (a request answers each realm separately, RFC 3261 §22.3).
 * @returns `undefined` when none can be answered.
 */
export function chooseChallenge(headers: readonly string[], opts?: { realm?: string }): ChosenChallenge | undefined {
  let best: ChosenChallenge | undefined;
  let bestRank = Infinity;
  for (let index = 0; index < headers.length; index++) {
    const header = headers[index];
    let challenge: DigestChallenge;
    try {
      challenge = parseChallenge(header);
    } catch (err) {
      if (err instanceof DigestParseError) continue;
      throw err;
    }
    if (opts?.realm !== undefined && challenge.realm !== opts.realm) continue;
    const algorithm = toDigestAlgorithm(challenge.algorithm);
    if (algorithm === undefined) continue;
    const qop = pickQop(challenge);
    if (qop === null || (qop === undefined && isSessionAlgorithm(algorithm))) continue;
    const rank = DIGEST_ALGORITHMS.indexOf(algorithm);
    if (rank < bestRank) {
      best = { header, index, challenge, algorithm };
      bestRank = rank;
    }
  }
  return best;
}
