// Test helpers for the registrar: REGISTER builders, a digest-answering client step, sync/async store wrappers (RFC 3261 §10.2 request construction, §22.2 answering a challenge).
import { answerChallenge, chooseChallenge } from '../auth/index.ts';
import { SipRequest, type SipResponse } from '../message/index.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import type { Binding, RequestSource } from './binding.ts';
import { InMemoryCredentials } from './credentials.ts';
import { isPromiseLike, type MaybePromise } from './maybe.ts';
import { Registrar, type RegistrarOptions } from './registrar.ts';
import { type BindingStore, InMemoryBindingStore } from './store.ts';

/** Fields of a test REGISTER. */
export interface RegisterInit {
  /** Request-URI domain. Default 'a.example'. */
  domain?: string;
  /** To user. Default 'alice'. */
  user?: string;
  /** To host. Default = domain. */
  toHost?: string;
  /** Contact header values (each written as its own line). Default none. */
  contacts?: string[];
  expires?: number | string;
  callId?: string;
  cseq?: number;
  authorization?: string;
  userAgent?: string;
  /** Request-URI text instead of `sip:${domain}`. */
  ruri?: string;
}

/** Builds a REGISTER (RFC 3261 §10.2). */
export function register(init: RegisterInit = {}): SipRequest {
  const domain = init.domain ?? 'a.example';
  const user = init.user ?? 'alice';
  const toHost = init.toHost ?? domain;
  const headers: Array<[string, string]> = [
    ['Via', 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-test'],
    ['Max-Forwards', '70'],
    ['From', `<sip:${user}@${toHost}>;tag=ft1`],
    ['To', `<sip:${user}@${toHost}>`],
    ['Call-ID', init.callId ?? 'call-1@192.0.2.10'],
    ['CSeq', `${init.cseq ?? 1} REGISTER`],
  ];
  for (const c of init.contacts ?? []) headers.push(['Contact', c]);
  if (init.expires !== undefined) headers.push(['Expires', String(init.expires)]);
  if (init.authorization !== undefined) headers.push(['Authorization', init.authorization]);
  if (init.userAgent !== undefined) headers.push(['User-Agent', init.userAgent]);
  return new SipRequest({ method: 'REGISTER', uri: init.ruri ?? `sip:${domain}`, headers });
}

/** Asserts a value is not a Promise (the synchronous hot path) and returns it. */
export function sync<T>(v: MaybePromise<T>): T {
  if (isPromiseLike(v)) throw new Error('expected a synchronous result');
  return v as T;
}

/** The Authorization value answering the 401 `challenge` for `req` (the strongest offered algorithm). */
export function answer(challenge: SipResponse, req: SipRequest, username: string, password: string, nc = 1): string {
  const chosen = chooseChallenge(challenge.wwwAuthenticate());
  if (chosen === undefined) throw new Error('no challenge to answer');
  return answerChallenge({ challengeHeader: chosen.header, method: 'REGISTER', uri: req.uriText, username, password, nc });
}

/** The `expires` parameter of each Contact of a 200, keyed by URI. */
export function contactExpires(res: SipResponse): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of res.contacts()) out.set(c.uri.toString(), c.expires ?? -1);
  return out;
}

/** Default source of test requests. */
export const SOURCE: RequestSource = Object.freeze({ transport: 'udp', address: '198.51.100.7', port: 40000 });

/** Two tenants: a.example (alice, bob, gw-a) and b.example (carol, gw-b), passwords `pw-<user>`. */
export function twoTenants(): InMemoryCredentials {
  return new InMemoryCredentials()
    .addDomain('a.example')
    .addDomain('alias.a.example', 'a.example')
    .addDomain('b.example')
    .addUser('a.example', 'alice', 'pw-alice')
    .addUser('a.example', 'bob', 'pw-bob')
    .addUser('a.example', 'gw-a', 'pw-gw-a')
    .addUser('b.example', 'carol', 'pw-carol')
    .addUser('b.example', 'gw-b', 'pw-gw-b');
}

/** A registrar on a fake clock (epoch 1 700 000 000 000 at t=0) over the two test tenants. */
export function setup<S extends BindingStore = InMemoryBindingStore>(
  options: Partial<RegistrarOptions> = {},
  store: S = new InMemoryBindingStore() as BindingStore as S,
) {
  const scheduler = new FakeScheduler();
  const credentials = twoTenants();
  const errors: unknown[] = [];
  const registrar = new Registrar(
    { scheduler, credentials, store, epochAtZero: 1_700_000_000_000 },
    { onError: (err) => errors.push(err), ...options },
  );
  return { scheduler, credentials, registrar, store, errors };
}

/** Handles a REGISTER, answering one 401 with the user's password (new CSeq); returns the final response. */
export async function registerAuthenticated(
  registrar: Registrar,
  init: RegisterInit,
  username: string,
  password: string,
  source: RequestSource = SOURCE,
): Promise<SipResponse> {
  const first = register(init);
  const r1 = await registrar.handle(first, source);
  if (r1.status !== 401) return r1;
  const second = register({ ...init, cseq: (init.cseq ?? 1) + 1, authorization: answer(r1, first, username, password) });
  return registrar.handle(second, source);
}

/** Wraps a store so that every call answers through a Promise (a database-like store). */
export class AsyncStore implements BindingStore {
  readonly inner: InMemoryBindingStore;
  /** Set to make the next `put` reject. */
  failNextPut = false;
  puts = 0;

  constructor(inner = new InMemoryBindingStore()) {
    this.inner = inner;
  }

  async get(aor: string): Promise<readonly Binding[]> {
    await Promise.resolve();
    return this.inner.get(aor);
  }

  async put(aor: string, bindings: readonly Binding[]): Promise<void> {
    await Promise.resolve();
    await Promise.resolve();
    this.puts++;
    if (this.failNextPut) {
      this.failNextPut = false;
      throw new Error('database down');
    }
    this.inner.put(aor, bindings);
  }

  async aors(): Promise<string[]> {
    return this.inner.aors();
  }
}
