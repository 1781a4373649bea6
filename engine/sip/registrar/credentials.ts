// Who may register what: the credential lookup the tenant layer implements for the registrar (digest HA1 per realm, domain → realm, AOR authorization), and an in-memory implementation (RFC 3261 §10.3 steps 1, 3, 4 and 5; §22; DESIGN.md §3 "SIP identities").
import { computeHa1 } from '../auth/index.ts';
import type { MaybePromise } from './maybe.ts';

/** The hash function family of a digest HA1: `-sess` algorithms use the HA1 of their base algorithm. */
export type Ha1Algorithm = 'MD5' | 'SHA-256';

/** The user and host of a canonical address-of-record (host lower-cased). */
export interface AorParts {
  user: string;
  host: string;
}

/**
 * The registrar's view of tenants and their credentials. The engine defines it; the tenant layer
 * implements it (gateway accounts and agent extensions, one realm per tenant, realm = the tenant's
 * domain). Every method may answer synchronously (a cache: the fast path) or with a Promise.
 *
 * Tenant isolation rests on two answers: `realmFor` ties every domain to exactly one realm, and
 * `mayRegister` lets an authenticated user register only AORs it owns. The registrar additionally
 * requires the To AOR's domain to belong to the same realm as the Request-URI's domain (404 otherwise),
 * so credentials of tenant A can never create a binding under tenant B's domain.
 */
export interface CredentialLookup {
  /**
   * The digest realm serving `domain` (a lower-cased host from a Request-URI or To), or `undefined`
   * when we do not serve it (REGISTER answered 404, RFC 3261 §10.3 step 1). Alias domains of a tenant
   * map to the tenant's realm.
   */
  realmFor(domain: string): MaybePromise<string | undefined>;
  /**
   * The stored HA1 = H(username ":" realm ":" password) as lowercase hex, hashed with `algorithm`
   * (see `computeHa1`), or `undefined` for an unknown user. Passwords are never handed to the engine.
   */
  ha1(username: string, realm: string, algorithm: Ha1Algorithm): MaybePromise<string | undefined>;
  /**
   * May `username`, authenticated in `realm`, register bindings for `aor` (RFC 3261 §10.3 step 4)?
   * The usual rule: a gateway account or an agent extension registers its own AOR only,
   * `aor.user === username` with `aor.host` a domain of that realm. `false` is answered 403.
   */
  mayRegister(username: string, realm: string, aor: AorParts): MaybePromise<boolean>;
}

interface UserEntry {
  md5: string;
  sha256: string;
  /** Extra AOR users this account may register (besides its own username). */
  also: ReadonlySet<string>;
}

/**
 * An in-memory {@link CredentialLookup} for tests and the simulator: domains mapped to realms, users
 * stored as HA1 hashes (MD5 and SHA-256), each allowed to register its own AOR in any domain of its realm
 * (plus explicitly granted AOR users).
 */
export class InMemoryCredentials implements CredentialLookup {
  readonly #realms = new Map<string, string>();
  readonly #users = new Map<string, UserEntry>();

  /**
   * Serves `domain` in `realm` (default: the domain itself).
   * @throws {TypeError} naming `domain` when empty.
   */
  addDomain(domain: string, realm: string = domain.toLowerCase()): this {
    if (domain.length === 0) throw new TypeError('domain: must not be empty');
    this.#realms.set(domain.toLowerCase(), realm);
    return this;
  }

  /** Stops serving `domain`. */
  removeDomain(domain: string): void {
    this.#realms.delete(domain.toLowerCase());
  }

  /**
   * Adds (or replaces) a user of `realm`; only its HA1 hashes are kept.
   * @param opts.mayAlsoRegister other AOR user parts this account may register in its realm.
   * @throws {TypeError} naming `username` when empty.
   */
  addUser(realm: string, username: string, password: string, opts?: { mayAlsoRegister?: readonly string[] }): this {
    if (username.length === 0) throw new TypeError('username: must not be empty');
    this.#users.set(key(username, realm), {
      md5: computeHa1('MD5', username, realm, password),
      sha256: computeHa1('SHA-256', username, realm, password),
      also: new Set(opts?.mayAlsoRegister ?? []),
    });
    return this;
  }

  /** Removes a user. */
  removeUser(realm: string, username: string): void {
    this.#users.delete(key(username, realm));
  }

  realmFor(domain: string): string | undefined {
    return this.#realms.get(domain.toLowerCase());
  }

  ha1(username: string, realm: string, algorithm: Ha1Algorithm): string | undefined {
    const u = this.#users.get(key(username, realm));
    if (u === undefined) return undefined;
    return algorithm === 'SHA-256' ? u.sha256 : u.md5;
  }

  mayRegister(username: string, realm: string, aor: AorParts): boolean {
    const u = this.#users.get(key(username, realm));
    if (u === undefined) return false;
    if (this.#realms.get(aor.host.toLowerCase()) !== realm) return false;
    return aor.user === username || u.also.has(aor.user);
  }
}

function key(username: string, realm: string): string {
  return `${realm}\u0000${username}`;
}
