// The SIP engine facade: one UserAgent with its registrar, keepalive pinger and INVITE sessions, wired together.
// Tenants plug in through CredentialLookup and BindingStore; calls come out through `onIncoming`.
import type { Scheduler } from '../util/scheduler.ts';
import { RealScheduler } from '../util/scheduler.ts';
import type { BindingStore, CredentialLookup, KeepalivePingerOptions, RegistrarOptions } from './registrar/index.ts';
import { KeepalivePinger, Registrar } from './registrar/index.ts';
import type { IncomingCall } from './ua/invite.ts';
import { InviteSessions } from './ua/invite.ts';
import type { UserAgentOptions } from './ua/user-agent.ts';
import { UserAgent } from './ua/user-agent.ts';
import type { DigestAlgorithm } from './auth/index.ts';
import { AuthThrottle, DigestAuthenticator } from './auth/index.ts';

/**
 * Digest algorithms challenged with, in order of preference. MD5 comes first by default: many FXO gateways
 * (and SIPp) answer only the first WWW-Authenticate and know only MD5; peers that can do SHA-256 still may
 * pick it (RFC 8760 §2.4 lets the UAS order the challenges). Deployments with modern phones can put SHA-256 first.
 */
export const DEFAULT_DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['MD5', 'SHA-256']);

export interface SipEngineOptions {
  digestAlgorithms: readonly DigestAlgorithm[];
  ua: Partial<Omit<UserAgentOptions, 'scheduler'>>;
  registrar: Partial<RegistrarOptions>;
  keepalive: Partial<KeepalivePingerOptions> & { enabled?: boolean };
  scheduler: Scheduler;
}

export interface SipEngineDeps {
  credentials: CredentialLookup;
  store?: BindingStore;
  /** A new incoming call (the UA already answered 100 Trying). */
  onIncoming(call: IncomingCall): void;
}

export class SipEngine {
  readonly ua: UserAgent;
  readonly registrar: Registrar;
  readonly sessions: InviteSessions;
  readonly pinger: KeepalivePinger | undefined;
  readonly throttle: AuthThrottle;
  readonly authenticator: DigestAuthenticator;
  readonly scheduler: Scheduler;

  constructor(deps: SipEngineDeps, options: Partial<SipEngineOptions> = {}) {
    this.scheduler = options.scheduler ?? new RealScheduler();
    this.ua = new UserAgent({ ...options.ua, scheduler: this.scheduler });
    this.throttle = new AuthThrottle();
    this.authenticator = new DigestAuthenticator({
      algorithms: options.digestAlgorithms ?? DEFAULT_DIGEST_ALGORITHMS,
    });
    this.registrar = new Registrar(
      { scheduler: this.scheduler, credentials: deps.credentials, store: deps.store, throttle: this.throttle, authenticator: this.authenticator },
      options.registrar,
    );
    this.ua.handlers.register = (req, source) => this.registrar.handle(req, source);
    this.sessions = new InviteSessions(this.ua, { onIncoming: (call) => deps.onIncoming(call) });
    const ka = options.keepalive ?? {};
    if (ka.enabled !== false) {
      this.pinger = new KeepalivePinger(
        {
          scheduler: this.scheduler,
          registrar: this.registrar,
          sendOptions: (b) => this.ua.ping(b.source, b.contact),
        },
        ka,
      );
    }
  }

  async listen(): Promise<void> {
    await this.ua.listen();
    this.pinger?.start();
  }

  get port(): number {
    return this.ua.transport.port;
  }

  /** Stops pinging, ends every session and closes sockets; leaves no timer. */
  async close(): Promise<void> {
    this.pinger?.close();
    this.sessions.close();
    this.registrar.close();
    await this.ua.close();
  }
}
