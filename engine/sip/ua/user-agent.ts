// The UA core: validates requests and dispatches them (REGISTER to the registrar hook, INVITE to the call layer,
// in-dialog requests to their dialog, OPTIONS answered here), and sends requests with digest retry
// (RFC 3261 §8.1, §8.2, §11, §22.2). Owns the transport and transaction layers.
import type { SipRequest, SipResponse } from '../message/index.ts';
import { DEFAULT_METHODS, SipRequest as Request, createResponse, generateCallId, generateTag, validateRequest } from '../message/index.ts';
import { answerChallenge, chooseChallenge } from '../auth/index.ts';
import type { Endpoint } from '../transport/sockets.ts';
import type { SipTransportOptions } from '../transport/layer.ts';
import { SipTransportLayer } from '../transport/layer.ts';
import type { TransactionLayerOptions } from '../transaction/layer.ts';
import { TransactionLayer } from '../transaction/layer.ts';
import type { ServerTransaction } from '../transaction/transaction.ts';
import { TransactionTimeoutError } from '../transaction/transaction.ts';
import type { Scheduler } from '../../util/scheduler.ts';
import { RealScheduler } from '../../util/scheduler.ts';

export type MaybePromise<T> = T | Promise<T>;

export interface UserAgentOptions {
  transport: Partial<SipTransportOptions>;
  transactions: Partial<TransactionLayerOptions>;
  /** User-Agent / Server header value. */
  product: string;
  /** Methods in Allow (OPTIONS answers, 405/501). */
  allow: readonly string[];
  /** Option tags we support (Supported; anything else in Require gets 420). */
  supported: readonly string[];
  scheduler: Scheduler;
}

export const USER_AGENT_DEFAULTS: Readonly<Omit<UserAgentOptions, 'scheduler'>> = Object.freeze({
  transport: {},
  transactions: {},
  product: 'Hotline',
  allow: Object.freeze(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'REGISTER', 'UPDATE']),
  supported: Object.freeze([]),
});

/** The layer above the UA core: the registrar and the call layer plug in here. */
export interface UserAgentHandlers {
  /** REGISTER (through its server transaction; the UA sends what this returns). */
  register?(req: SipRequest, source: Endpoint): MaybePromise<SipResponse>;
  /** An INVITE outside any dialog; the handler answers through `tx` (the UA already sent 100 Trying). */
  invite?(req: SipRequest, tx: ServerTransaction, source: Endpoint): void;
  /**
   * A request inside a dialog (it has a To tag), or an ACK. Returns true when a dialog took it; otherwise
   * the UA answers 481 (RFC 3261 §12.2.2) — ACKs that match nothing are dropped.
   */
  inDialog?(req: SipRequest, tx: ServerTransaction | undefined, source: Endpoint): boolean;
  /** A CANCEL matched an INVITE (the INVITE already got 487). */
  cancel?(invite: ServerTransaction, cancel: SipRequest): void;
  /** Any other out-of-dialog request (MESSAGE, OPTIONS to a user…); default answers 405 / OPTIONS 200. */
  other?(req: SipRequest, tx: ServerTransaction, source: Endpoint): boolean;
  /** A 2xx retransmission that matched no transaction (UAC re-ACK, §13.2.2.4). */
  strayResponse?(res: SipResponse, source: Endpoint): void;
  /** For logs and counters: a request refused by validation or by the UA. */
  refused?(req: SipRequest, status: number, reason: string, source: Endpoint): void;
}

/** Credentials for answering digest challenges on requests we send. */
export interface ClientCredentials {
  username: string;
  password?: string;
  ha1?: string;
}

export interface SendOptions {
  /** Answer 401/407 once with these credentials (RFC 3261 §22.2). */
  credentials?: ClientCredentials;
  /** Provisional responses. */
  onProvisional?(res: SipResponse): void;
}

export class SipRequestError extends Error {
  readonly code: 'timeout' | 'transport';
  constructor(code: 'timeout' | 'transport', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SipRequestError';
    this.code = code;
  }
}

/** Counters for logs and metrics. */
export interface UaStats {
  requests: number;
  refused: Record<number, number>;
}

export class UserAgent {
  readonly options: Readonly<UserAgentOptions>;
  readonly transport: SipTransportLayer;
  readonly transactions: TransactionLayer;
  readonly stats: UaStats = { requests: 0, refused: {} };
  handlers: UserAgentHandlers;
  #scheduler: Scheduler;

  constructor(options: Partial<UserAgentOptions>, handlers: UserAgentHandlers = {}) {
    this.options = Object.freeze({ ...USER_AGENT_DEFAULTS, scheduler: new RealScheduler(), ...options });
    this.#scheduler = this.options.scheduler;
    this.handlers = handlers;
    this.transport = new SipTransportLayer(this.options.transport, {
      onMessage: (msg, source) => this.transactions.receive(msg, source),
    });
    const transport = this.transport;
    this.transactions = new TransactionLayer(
      {
        send: (bytes, dest) => {
          transport.sendBytes(bytes, dest).catch(() => undefined);
        },
        makeVia: (t, branch) => transport.makeVia(t, branch),
        transportFor: (len, dest) => transport.transportFor(len, dest),
      },
      this.#scheduler,
      {
        onRequest: (req, tx, source) => this.#onRequest(req, tx, source),
        onCancel: (invite, cancel) => this.handlers.cancel?.(invite, cancel),
        onStrayResponse: (res, source) => this.handlers.strayResponse?.(res, source),
      },
      this.options.transactions,
    );
  }

  get scheduler(): Scheduler {
    return this.#scheduler;
  }

  async listen(): Promise<void> {
    await this.transport.listen();
  }

  /** Our contact URI (`sip:user@host:port`). */
  contactUri(user?: string): string {
    return `sip:${user ? `${user}@` : ''}${this.transport.sentBy}`;
  }

  #refuse(req: SipRequest, tx: ServerTransaction, status: number, reason?: string, headers?: Array<[string, string]>): void {
    this.stats.refused[status] = (this.stats.refused[status] ?? 0) + 1;
    this.handlers.refused?.(req, status, reason ?? '', { transport: 'udp', address: '', port: 0 });
    if (!tx.finalSent) tx.respond(createResponse(req, status, reason, headers ? { headers: this.#withServer(headers) } : { headers: this.#withServer([]) }));
  }

  #withServer(headers: Array<[string, string]>): Array<[string, string]> {
    return [...headers, ['Server', this.options.product]];
  }

  #onRequest(req: SipRequest, tx: ServerTransaction | undefined, source: Endpoint): void {
    this.stats.requests++;
    if (!tx) {
      // ACK outside a transaction: the ACK for a 2xx (§13.3.1.4), handed to its dialog; otherwise dropped.
      this.handlers.inDialog?.(req, undefined, source);
      return;
    }
    const rejection = validateRequest(req, { supported: this.options.supported, knownMethods: DEFAULT_METHODS });
    if (rejection) {
      if (!rejection.drop) this.#refuse(req, tx, rejection.status, rejection.reason, rejection.headers);
      return;
    }
    try {
      this.#dispatch(req, tx, source);
    } catch (err) {
      // A handler bug must not kill the server: answer 500 and carry on.
      if (!tx.finalSent) this.#refuse(req, tx, 500, 'Server Internal Error');
      this.handlers.refused?.(req, 500, err instanceof Error ? err.message : String(err), source);
    }
  }

  #dispatch(req: SipRequest, tx: ServerTransaction, source: Endpoint): void {
    const method = req.method;
    if (req.to().tag !== undefined) {
      // §12.2.2: a request inside a dialog; no such dialog → 481.
      if (this.handlers.inDialog?.(req, tx, source)) return;
      this.#refuse(req, tx, 481);
      return;
    }
    switch (method) {
      case 'REGISTER': {
        const h = this.handlers.register;
        if (!h) {
          this.#refuse(req, tx, 405, undefined, [['Allow', this.options.allow.join(', ')]]);
          return;
        }
        const respond = (res: SipResponse): void => {
          if (!tx.finalSent && !tx.terminated) tx.respond(res);
        };
        const out = h(req, source);
        if (out instanceof Promise) out.then(respond, () => this.#refuse(req, tx, 500));
        else respond(out);
        return;
      }
      case 'INVITE':
        if (this.handlers.invite) this.handlers.invite(req, tx, source);
        else this.#refuse(req, tx, 480);
        return;
      case 'OPTIONS':
        if (this.handlers.other?.(req, tx, source)) return;
        tx.respond(this.optionsResponse(req));
        return;
      case 'BYE':
        // BYE without To tag cannot match a dialog (§15.1.2).
        this.#refuse(req, tx, 481);
        return;
      default:
        if (this.handlers.other?.(req, tx, source)) return;
        this.#refuse(req, tx, 405, undefined, [['Allow', this.options.allow.join(', ')]]);
    }
  }

  /** 200 to OPTIONS with Allow, Accept and Supported (RFC 3261 §11.2). */
  optionsResponse(req: SipRequest): SipResponse {
    return createResponse(req, 200, undefined, {
      headers: [
        ['Allow', this.options.allow.join(', ')],
        ['Accept', 'application/sdp'],
        ['Supported', this.options.supported.join(', ')],
        ['Server', this.options.product],
      ],
    });
  }

  /**
   * Sends a non-INVITE request in a client transaction and resolves with its final response, answering one
   * 401/407 digest challenge when credentials are given (RFC 3261 §22.2: same Call-ID, CSeq + 1).
   * @throws SipRequestError on Timer F or a transport failure.
   */
  async request(req: SipRequest, dest: Endpoint, opts: SendOptions = {}): Promise<SipResponse> {
    const res = await this.#once(req, dest, opts);
    if ((res.status === 401 || res.status === 407) && opts.credentials) {
      const retry = authorize(req, res, opts.credentials);
      if (retry) return this.#once(retry, dest, opts);
    }
    return res;
  }

  #once(req: SipRequest, dest: Endpoint, opts: SendOptions): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      this.transactions.request(req, dest, {
        onResponse: (res) => {
          if (res.status < 200) opts.onProvisional?.(res);
          else resolve(res);
        },
        onError: (err) =>
          reject(new SipRequestError(err instanceof TransactionTimeoutError ? 'timeout' : 'transport', err.message, { cause: err })),
      });
    });
  }

  /** OPTIONS ping (gateway keepalive): `{ok, rttMs}`; any response counts as alive (RFC 3261 §11). */
  async ping(dest: Endpoint, requestUri: string): Promise<{ ok: boolean; rttMs?: number; status?: number }> {
    const t0 = this.#scheduler.now();
    const req = new Request({
      method: 'OPTIONS',
      uri: requestUri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${this.contactUri()}>;tag=${generateTag()}`],
        ['To', `<${requestUri}>`],
        ['Call-ID', generateCallId()],
        ['CSeq', '1 OPTIONS'],
        ['User-Agent', this.options.product],
      ],
    });
    try {
      const res = await this.request(req, dest);
      return { ok: true, rttMs: this.#scheduler.now() - t0, status: res.status };
    } catch {
      return { ok: false };
    }
  }

  async close(): Promise<void> {
    this.transactions.close();
    await this.transport.close();
  }
}

/**
 * Copies `req` with an Authorization / Proxy-Authorization answering the challenge in `res`, CSeq + 1 and
 * no Via (a new transaction), or undefined when no challenge can be answered (RFC 3261 §22.2, §8.1.3.5).
 */
export function authorize(req: SipRequest, res: SipResponse, creds: ClientCredentials): SipRequest | undefined {
  const proxy = res.status === 407;
  const headers = proxy ? res.proxyAuthenticate() : res.wwwAuthenticate();
  const chosen = chooseChallenge(headers);
  if (!chosen) return undefined;
  const retry = req.clone();
  retry.remove('Via');
  const cseq = req.cseq();
  retry.set('CSeq', `${cseq.seq + 1} ${cseq.method}`);
  const value = answerChallenge({
    challengeHeader: chosen.challenge,
    method: req.method,
    uri: req.uriText,
    username: creds.username,
    password: creds.password,
    ha1: creds.ha1,
    body: req.body,
  });
  retry.set(proxy ? 'Proxy-Authorization' : 'Authorization', value);
  return retry;
}
