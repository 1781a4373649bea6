// SIP dialogs: creation at UAC and UAS, in-dialog requests with loose/strict routing, CSeq rules, target refresh, INVITE glare, ACK for 2xx (RFC 3261 §12, §13.2.2.4, §13.3.1.4, §14, §15, §16.12; RFC 6026 §7).
import {
  type BodyInit,
  createResponse,
  type HeaderInit,
  headerKey,
  NameAddr,
  SipRequest,
  type SipResponse,
  SipUri,
  type Uri,
  type Via,
} from '../message/index.ts';
import {
  checkBodyType,
  type ContactInit,
  DEFAULT_MAX_FORWARDS,
  headerPairs,
  type Rejection,
  requestUriOf,
  toContact,
} from './build.ts';
import { DialogError } from './errors.ts';
import { type DialogId, dialogIdOf, dialogKey } from './id.ts';
import { type DialogInput, type DialogState, nextDialogState } from './state.ts';

/** Which side of the dialog-creating request we were on: `uac` sent it (and owns the Call-ID), `uas` received it. */
export type DialogRole = 'uac' | 'uas';

/** The time source a dialog stamps its activity with (a {@link Scheduler} fits). */
export interface DialogClock {
  now(): number;
}

/**
 * Methods whose requests (and 2xx responses) replace the remote target with their Contact:
 * INVITE (RFC 3261 §12.2) and UPDATE (RFC 3311 §5). (SUBSCRIBE/NOTIFY/REFER are too, for their own
 * usages — RFC 6665 — which Hotline does not implement.)
 */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set(['INVITE', 'UPDATE']);

/** Headers the dialog writes itself; passing them in `headers` is a TypeError (lower-case keys). */
const DIALOG_HEADERS: ReadonlySet<string> = new Set(['via', 'max-forwards', 'route', 'to', 'from', 'call-id', 'cseq']);

/** Largest CSeq number (RFC 3261 §8.1.1.5: 32 bits unsigned). */
const MAX_CSEQ = 0xffffffff;

const PERFORMANCE_CLOCK: DialogClock = Object.freeze({ now: () => performance.now() });

/** Options of {@link Dialog.fromUacResponse} and {@link Dialog.fromUasRequest}. */
export interface DialogOptions {
  /**
   * The creating request travelled over TLS. The dialog is secure when this is true and the request's
   * Request-URI is a SIPS URI (RFC 3261 §12.1.1, §12.1.2).
   */
  tls?: boolean;
  /** Our Contact for target-refresh requests and responses; defaults to the Contact of our own message. */
  localContact?: ContactInit;
  /** Stamps {@link Dialog.lastActivity}; defaults to `performance.now()`, the same origin as `RealScheduler`. */
  clock?: DialogClock;
  /** Uniform random numbers in [0, 1) for the first local CSeq, Retry-After and glare delays (tests fix it). */
  random?: () => number;
}

/** Options of {@link Dialog.createRequest} and {@link Dialog.createAck}. */
export interface CreateRequestOptions {
  body?: BodyInit;
  /** Content-Type of `body`, required when the body is not empty (unless given among `headers`). */
  contentType?: string;
  /**
   * More headers, appended after the dialog's own. Via, Max-Forwards, Route, To, From, Call-ID and CSeq are
   * the dialog's and refused here; so is Contact on a target-refresh method (set `dialog.localContact`).
   */
  headers?: HeaderInit;
  /**
   * The Via to put on the request. When omitted the request has NO Via: the caller (transaction layer)
   * must prepend one with a fresh branch (`generateBranch()`) before sending — an in-dialog request, and
   * the ACK for a 2xx, is always a new transaction (RFC 3261 §8.1.1.7, §13.2.2.4).
   */
  via?: Via | string;
  /** Max-Forwards, default 70 (RFC 3261 §8.1.1.6). */
  maxForwards?: number;
}

/** Options of {@link Dialog.createResponse}. */
export interface DialogResponseOptions {
  reason?: string;
  /** More headers appended after Record-Route/Contact. */
  headers?: HeaderInit;
  body?: BodyInit;
  /** Content-Type of `body`, required when the body is not empty (unless given among `headers`). */
  contentType?: string;
}

/** The dialog accepts a request it received: process it (for ACK: stop retransmitting the 2xx). */
export interface Acceptance {
  readonly kind: 'accept';
  /** The request was a target refresh with a Contact: {@link Dialog.remoteTarget} changed (RFC 3261 §12.2.2). */
  readonly targetRefreshed: boolean;
  /**
   * For a BYE: the CSeq number of an INVITE from the peer we have not answered yet. The UA core must still
   * answer it, with 487 Request Terminated (RFC 3261 §15.1.2).
   */
  readonly unansweredInvite?: number;
}

/** An ACK that matches no INVITE we answered, or that arrives in a terminated dialog: ACKs get no response, drop it. */
export interface Drop {
  readonly kind: 'drop';
}

/** What to do with a request received in a dialog: accept it, answer it with a rejection, or drop it. */
export type ReceiveRequestResult = Acceptance | Rejection | Drop;

/** What a response did to the dialog. */
export interface ReceiveResponseResult {
  /** The dialog's state after the response. */
  readonly state: DialogState;
  /** The remote target changed (2xx to a target refresh, or a 1xx/2xx with Contact in an early dialog). */
  readonly targetRefreshed: boolean;
}

/** Everything a dialog is made of (RFC 3261 §12). */
interface DialogInit {
  role: DialogRole;
  state: DialogState;
  id: DialogId;
  local: NameAddr;
  remote: NameAddr;
  localSeq: number | undefined;
  remoteSeq: number | undefined;
  remoteTarget: Uri;
  routeSet: Uri[];
  secure: boolean;
  localContact: NameAddr | undefined;
  creatingSeq: number;
  creatingMethod: string;
  outgoingInvite: number | undefined;
  incomingInvite: number | undefined;
  lastIncomingInvite: number | undefined;
  clock: DialogClock;
  random: () => number;
}

function withoutTag(na: NameAddr): NameAddr {
  const c = na.clone();
  c.tag = undefined;
  return c;
}

function isSips(uri: Uri): boolean {
  return uri.scheme === 'sips';
}

/**
 * One SIP dialog (RFC 3261 §12): its ID, both URIs, both CSeq spaces, the remote target and route set, the
 * secure flag, and its state (`early` → `confirmed` → `terminated`, see {@link DIALOG_TRANSITIONS}).
 *
 * Pure: it builds and checks messages and keeps state; it sends nothing and sets no timer. The UA core
 * feeds it every in-dialog message in both directions:
 * - requests we send: {@link createRequest} / {@link createAck} (then the transaction layer adds Via and sends);
 * - responses we receive to them: {@link receiveResponse}, or {@link requestFailed} when none came;
 * - requests we receive: {@link receiveRequest} (then answer with {@link createResponse} or `createRejection`);
 * - responses we send: {@link responseSent}.
 *
 * Times: {@link lastActivity} is stamped from the injected clock on each of those calls; a dialog idle for
 * too long (its peer vanished) is found with `DialogTable.staleDialogs` and ended by the UA core.
 */
export class Dialog {
  /** Whether we sent (`uac`) or received (`uas`) the dialog-creating request. */
  readonly role: DialogRole;
  /** Call-ID, local tag, remote tag (RFC 3261 §12). */
  readonly id: DialogId;
  /** {@link dialogKey} of {@link id}, for maps. */
  readonly key: string;
  /** True when the creating request came over TLS to a SIPS Request-URI (RFC 3261 §12.1.1, §12.1.2). */
  readonly secure: boolean;
  /**
   * Our Contact, put in target-refresh requests (§12.2.1.1) and in 1xx/2xx responses to them. Assign a new
   * one to move the dialog's local target; the next INVITE/UPDATE tells the peer.
   */
  localContact: NameAddr | undefined;

  #state: DialogState;
  #local: NameAddr;
  #remote: NameAddr;
  #localSeq: number | undefined;
  #remoteSeq: number | undefined;
  #remoteTarget: Uri;
  #routeSet: Uri[];
  #creatingSeq: number;
  #creatingMethod: string;
  #outgoingInvite: number | undefined;
  #incomingInvite: number | undefined;
  #lastIncomingInvite: number | undefined;
  #lastAck: { seq: number; ack: SipRequest } | undefined;
  #clock: DialogClock;
  #random: () => number;
  #lastActivity: number;

  private constructor(init: DialogInit) {
    this.role = init.role;
    this.id = Object.freeze({ ...init.id });
    this.key = dialogKey(this.id);
    this.secure = init.secure;
    this.localContact = init.localContact;
    this.#state = init.state;
    this.#local = init.local;
    this.#remote = init.remote;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
    this.#remoteTarget = init.remoteTarget;
    this.#routeSet = init.routeSet;
    this.#creatingSeq = init.creatingSeq;
    this.#creatingMethod = init.creatingMethod;
    this.#outgoingInvite = init.outgoingInvite;
    this.#incomingInvite = init.incomingInvite;
    this.#lastIncomingInvite = init.lastIncomingInvite;
    this.#clock = init.clock;
    this.#random = init.random;
    this.#lastActivity = init.clock.now();
  }

  // ---- creation ---------------------------------------------------------------------------------

  /**
   * The dialog a response to our request creates (RFC 3261 §12.1.2): a 101–199 with a To tag makes an early
   * dialog, a 2xx a confirmed one (a 2xx without To tag, from an RFC 2543 peer, gets remote tag `''`).
   * Route set = the response's Record-Route values in reverse order; remote target = its Contact (when a
   * provisional response has none — some gateways omit it — the Request-URI stands in until one arrives);
   * local CSeq = the request's; local/remote URI = From/To. Each To tag of a forked INVITE is its own dialog.
   * @throws DialogError code `not-dialog-creating` when the response cannot create a dialog or does not
   *   answer `request` (Call-ID, From tag, CSeq).
   * @throws SipParseError when a needed header is missing or malformed.
   */
  static fromUacResponse(request: SipRequest, response: SipResponse, opts: DialogOptions = {}): Dialog {
    checkAnswers(request, response);
    const toTag = response.to().tag;
    const early = response.status >= 101 && response.status <= 199;
    if (!(early && toTag !== undefined) && !(response.status >= 200 && response.status <= 299)) {
      throw new DialogError('not-dialog-creating', `a ${response.status}${toTag === undefined ? ' without To tag' : ''} creates no dialog (RFC 3261 §12.1)`);
    }
    const cseq = request.cseq();
    const id = dialogIdOf(response, 'uac');
    const contact = response.contacts()[0];
    const local = opts.localContact ?? request.contacts()[0];
    const invite = cseq.method === 'INVITE';
    return new Dialog({
      role: 'uac',
      state: early ? 'early' : 'confirmed',
      id,
      local: withoutTag(request.from()),
      remote: withoutTag(response.to()),
      localSeq: cseq.seq,
      remoteSeq: undefined,
      remoteTarget: contact ? contact.uri : request.uri,
      routeSet: response
        .recordRoutes()
        .map((rr) => rr.uri)
        .reverse(),
      secure: opts.tls === true && isSips(request.uri),
      localContact: local === undefined ? undefined : toContact(local),
      creatingSeq: cseq.seq,
      creatingMethod: cseq.method,
      outgoingInvite: invite && early ? cseq.seq : undefined,
      incomingInvite: undefined,
      lastIncomingInvite: undefined,
      clock: opts.clock ?? PERFORMANCE_CLOCK,
      random: opts.random ?? Math.random,
    });
  }

  /**
   * The dialog our 101–299 response to a request creates (RFC 3261 §12.1.1; build the response with
   * `createDialogResponse`). Route set = the request's Record-Route values in order; remote target = the
   * request's Contact; remote CSeq = the request's; local tag = the response's To tag; remote tag = the
   * request's From tag (`''` if none); local/remote URI = To/From. The local CSeq starts empty.
   * @throws DialogError code `not-dialog-creating` when the request already has a To tag, the response is not
   *   101–299 with a To tag, or does not answer `request`; code `missing-contact` when the request has no Contact.
   * @throws SipParseError when a needed header is missing or malformed.
   */
  static fromUasRequest(request: SipRequest, response: SipResponse, opts: DialogOptions = {}): Dialog {
    checkAnswers(request, response);
    if (request.to().tag !== undefined) throw new DialogError('not-dialog-creating', 'a request with a To tag is already inside a dialog (RFC 3261 §12.2.2)');
    const early = response.status >= 101 && response.status <= 199;
    if (!(early || (response.status >= 200 && response.status <= 299)) || response.to().tag === undefined) {
      throw new DialogError('not-dialog-creating', `a ${response.status} creates no dialog, a 101-299 with a To tag does (RFC 3261 §12.1)`);
    }
    const contact = request.contacts()[0];
    if (contact === undefined) throw new DialogError('missing-contact', 'the request has no Contact: no remote target (RFC 3261 §12.1.1); answer it 400');
    const cseq = request.cseq();
    const local = opts.localContact ?? response.contacts()[0];
    const invite = cseq.method === 'INVITE';
    return new Dialog({
      role: 'uas',
      state: early ? 'early' : 'confirmed',
      id: dialogIdOf(response, 'uas'),
      local: withoutTag(request.to()),
      remote: withoutTag(request.from()),
      localSeq: undefined,
      remoteSeq: cseq.seq,
      remoteTarget: contact.uri,
      routeSet: request.recordRoutes().map((rr) => rr.uri),
      secure: opts.tls === true && isSips(request.uri),
      localContact: local === undefined ? undefined : toContact(local),
      creatingSeq: cseq.seq,
      creatingMethod: cseq.method,
      outgoingInvite: undefined,
      incomingInvite: invite && early ? cseq.seq : undefined,
      lastIncomingInvite: invite ? cseq.seq : undefined,
      clock: opts.clock ?? PERFORMANCE_CLOCK,
      random: opts.random ?? Math.random,
    });
  }

  // ---- state ------------------------------------------------------------------------------------

  /** `early`, `confirmed` or `terminated`. */
  get state(): DialogState {
    return this.#state;
  }

  /** The Call-ID. */
  get callId(): string {
    return this.id.callId;
  }

  /** Our tag. */
  get localTag(): string {
    return this.id.localTag;
  }

  /** The peer's tag (`''` for an RFC 2543 peer that sent none). */
  get remoteTag(): string {
    return this.id.remoteTag;
  }

  /** Our address (display name and URI, no tag): From of the requests we send. */
  get localAddress(): NameAddr {
    return this.#local.clone();
  }

  /** The peer's address (display name and URI, no tag): To of the requests we send. */
  get remoteAddress(): NameAddr {
    return this.#remote.clone();
  }

  /** Local URI (RFC 3261 §12). */
  get localUri(): Uri {
    return this.#local.uri.clone();
  }

  /** Remote URI (RFC 3261 §12). */
  get remoteUri(): Uri {
    return this.#remote.uri.clone();
  }

  /** The CSeq number of the last request we sent in the dialog; undefined until the first (UAS side). */
  get localSeq(): number | undefined {
    return this.#localSeq;
  }

  /** The highest CSeq number received from the peer; undefined until its first request (UAC side). */
  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }

  /** Where requests in the dialog go: the peer's latest Contact (RFC 3261 §12.2.1.1). */
  get remoteTarget(): Uri {
    return this.#remoteTarget.clone();
  }

  /** The route set, in the order our requests' Route carries it (RFC 3261 §12.1.1, §12.1.2). */
  get routeSet(): Uri[] {
    return this.#routeSet.map((u) => u.clone());
  }

  /** True when the route set is empty or its first URI has `lr` (RFC 3261 §12.2.1.1, §16.12). */
  get looseRouting(): boolean {
    const first = this.#routeSet[0];
    return first === undefined || (first instanceof SipUri && first.lr);
  }

  /** An INVITE we sent in this dialog has no final response yet (RFC 3261 §14.1). */
  get outgoingInvitePending(): boolean {
    return this.#outgoingInvite !== undefined;
  }

  /** An INVITE we received in this dialog has no final response from us yet (RFC 3261 §14.2). */
  get incomingInvitePending(): boolean {
    return this.#incomingInvite !== undefined;
  }

  /** An INVITE transaction is in progress in either direction: no new INVITE may be sent (RFC 3261 §14.1). */
  get invitePending(): boolean {
    return this.#outgoingInvite !== undefined || this.#incomingInvite !== undefined;
  }

  /** True when {@link createRequest}('INVITE') would succeed now. */
  get canSendInvite(): boolean {
    return this.#state !== 'terminated' && !this.invitePending;
  }

  /** Clock time of the last message sent or received in the dialog (or of {@link touch}). */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** Records activity now (e.g. media still flowing), so an idle-dialog sweep spares the dialog. */
  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  /**
   * Ends the dialog from the UA core's side (idle peer, shutdown, after it sent or gave up on a BYE).
   * Idempotent. Requests received afterwards are rejected 481.
   */
  terminate(): void {
    this.#apply('close');
  }

  #apply(input: DialogInput): void {
    this.#state = nextDialogState(this.#state, input);
  }

  /**
   * How long to wait before retrying a re-INVITE that got 491 (RFC 3261 §14.1): 2.1–4 s when we own the
   * Call-ID (we are the dialog's UAC), 0–2 s otherwise, in 10 ms steps. Milliseconds.
   */
  glareRetryDelay(): number {
    const steps = this.role === 'uac' ? 191 : 201; // 2100..4000 or 0..2000, every 10 ms
    const base = this.role === 'uac' ? 2100 : 0;
    return base + 10 * Math.min(steps - 1, Math.floor(this.#random() * steps));
  }

  // ---- requests we send (RFC 3261 §12.2.1.1) ----------------------------------------------------

  /**
   * A new request in the dialog (RFC 3261 §12.2.1.1): To = remote URI + remote tag, From = local URI + local
   * tag, the Call-ID, CSeq = local CSeq + 1 (a random start below 2³¹ when empty), Max-Forwards 70, a Contact
   * for target-refresh methods (INVITE, UPDATE), and Request-URI/Route from the remote target and route set:
   * - empty route set → Request-URI = remote target, no Route;
   * - first route has `lr` (loose routing, §16.12) → Request-URI = remote target, Route = route set;
   * - otherwise (a strict router, RFC 2543) → Request-URI = first route, Route = the rest + remote target.
   *
   * No Via unless `opts.via`: the caller prepends one with a fresh branch. Sending BYE terminates the dialog
   * (§15.1.1); sending INVITE marks an INVITE pending until its final response is given to {@link receiveResponse}.
   * @throws TypeError for ACK (use {@link createAck}) or CANCEL (use `createCancel`), a reserved header in
   *   `opts.headers`, or a body without Content-Type.
   * @throws DialogError code `terminated`; `invite-pending` for an INVITE while one is in progress (§14.1);
   *   `early-bye` for a BYE from the callee on an early dialog (§15); `cseq-exhausted`.
   */
  createRequest(method: string, opts: CreateRequestOptions = {}): SipRequest {
    if (method === 'ACK') throw new TypeError('method: build the ACK for a 2xx with createAck (RFC 3261 §13.2.2.4)');
    if (method === 'CANCEL') throw new TypeError('method: build a CANCEL with createCancel (RFC 3261 §9.1)');
    if (!/^[A-Za-z0-9.!%*_+`'~-]+$/.test(method)) throw new TypeError('method: not a token');
    if (this.#state === 'terminated') throw new DialogError('terminated', `dialog terminated: cannot send ${method}`);
    if (method === 'BYE' && this.role === 'uas' && this.#state === 'early') {
      throw new DialogError('early-bye', 'the callee must not send BYE on an early dialog (RFC 3261 §15)');
    }
    if (method === 'INVITE' && this.invitePending) {
      throw new DialogError('invite-pending', 'an INVITE transaction is in progress in this dialog (RFC 3261 §14.1)');
    }
    const refresh = TARGET_REFRESH_METHODS.has(method);
    const extra = checkHeaders(opts.headers, refresh);
    checkBodyType(opts.body, opts.contentType, extra);
    const seq = this.#nextLocalSeq();
    const req = this.#build(method, seq, opts, extra, refresh);
    this.#localSeq = seq;
    if (method === 'INVITE') this.#outgoingInvite = seq;
    if (method === 'BYE') this.#apply('bye');
    this.touch();
    return req;
  }

  /**
   * The ACK for a 2xx to an INVITE of this dialog (RFC 3261 §13.2.2.4, RFC 6026 §7.2): built like any
   * in-dialog request (route set, remote target — so give the 2xx to {@link receiveResponse} first), but
   * with the INVITE's CSeq number and method ACK, no CSeq increment, no Contact, and the INVITE's
   * Authorization/Proxy-Authorization. It is a transaction of its own: prepend a Via with a fresh branch
   * (or pass `opts.via`). If the 2xx carried an offer, pass the answer as the body. Allowed in any state — a
   * 2xx is ACKed even when we then hang up. The ACK is kept for {@link ackFor}.
   * @throws TypeError when `response` is not a 2xx answering `invite` in this dialog (CSeq, Call-ID, To tag),
   *   or for bad `opts`.
   */
  createAck(invite: SipRequest, response: SipResponse, opts: CreateRequestOptions = {}): SipRequest {
    if (invite.method !== 'INVITE') throw new TypeError('invite: method must be INVITE');
    if (response.status < 200 || response.status > 299) throw new TypeError('response: a non-2xx is ACKed by the transaction (createAckForNon2xx)');
    const cseq = invite.cseq();
    const rc = response.cseq();
    if (rc.seq !== cseq.seq || rc.method !== 'INVITE' || response.callId !== this.callId || invite.callId !== this.callId) {
      throw new TypeError('response: does not answer this INVITE in this dialog');
    }
    // A 2xx from another fork belongs to another dialog: ACK it through that dialog (§13.2.2.4).
    if ((response.to().tag ?? '') !== this.id.remoteTag) throw new TypeError('response: its To tag is another dialog’s (a forked 2xx)');
    const extra = checkHeaders(opts.headers, false);
    checkBodyType(opts.body, opts.contentType, extra);
    for (const a of invite.getLines('authorization')) extra.push(['Authorization', a]);
    for (const a of invite.getLines('proxy-authorization')) extra.push(['Proxy-Authorization', a]);
    const ack = this.#build('ACK', cseq.seq, opts, extra, false);
    this.#lastAck = { seq: cseq.seq, ack };
    this.touch();
    return ack;
  }

  /**
   * The ACK last built by {@link createAck} when `response` is a 2xx to the same INVITE: a retransmitted 2xx
   * is answered with the same ACK again (RFC 3261 §13.2.2.4, RFC 6026 §7.2). Undefined otherwise.
   */
  ackFor(response: SipResponse): SipRequest | undefined {
    if (this.#lastAck === undefined || response.status < 200 || response.status > 299) return undefined;
    const rc = response.cseq();
    return rc.method === 'INVITE' && rc.seq === this.#lastAck.seq ? this.#lastAck.ack : undefined;
  }

  #nextLocalSeq(): number {
    if (this.#localSeq === undefined) return 1 + Math.min(0x7ffffffe, Math.floor(this.#random() * 0x7fffffff));
    if (this.#localSeq >= MAX_CSEQ) throw new DialogError('cseq-exhausted', 'local CSeq reached 2^32-1 (RFC 3261 §8.1.1.5)');
    return this.#localSeq + 1;
  }

  #build(method: string, seq: number, opts: CreateRequestOptions, extra: Array<[string, string]>, contact: boolean): SipRequest {
    let uri: Uri;
    const routes: Uri[] = [];
    const first = this.#routeSet[0];
    if (first === undefined) uri = requestUriOf(this.#remoteTarget);
    else if (this.looseRouting) {
      uri = requestUriOf(this.#remoteTarget);
      routes.push(...this.#routeSet);
    } else {
      // Strict routing (§12.2.1.1): the next hop is in the Request-URI, the remote target rides last in Route.
      uri = requestUriOf(first);
      routes.push(...this.#routeSet.slice(1), this.#remoteTarget);
    }
    const req = new SipRequest({ method, uri: uri.toString(), body: opts.body });
    if (opts.via !== undefined) req.append('Via', opts.via.toString());
    req.append('Max-Forwards', String(opts.maxForwards ?? DEFAULT_MAX_FORWARDS));
    for (const r of routes) req.append('Route', `<${r.toString()}>`);
    const to = this.#remote.clone();
    if (this.id.remoteTag !== '') to.tag = this.id.remoteTag;
    req.append('To', to.toString());
    const from = this.#local.clone();
    if (this.id.localTag !== '') from.tag = this.id.localTag;
    req.append('From', from.toString());
    req.append('Call-ID', this.id.callId);
    req.append('CSeq', `${seq} ${method}`);
    if (contact && this.localContact !== undefined) req.append('Contact', this.localContact.toString());
    for (const [n, v] of extra) req.append(n, v);
    if (opts.contentType !== undefined) req.append('Content-Type', opts.contentType);
    return req;
  }

  // ---- responses we receive (RFC 3261 §12.1.2, §12.2.1.2, §13.2.2.4) ------------------------------

  /**
   * A response to a request we sent in this dialog, including further responses to the creating request:
   * - to the creating request: 1xx keeps it early, 2xx confirms it and (while early) recomputes the route set
   *   and remote target from the 2xx (§13.2.2.4); 300–699 terminates it (§12.3) — also when its To tag
   *   belongs to another fork, so give a non-2xx final to every early dialog of the INVITE;
   * - to a target refresh (INVITE, UPDATE): a 2xx with Contact replaces the remote target (§12.2.1.2);
   * - 481 or 408 terminates the dialog (§12.2.1.2);
   * - a final response to our pending INVITE clears {@link outgoingInvitePending}.
   * @throws DialogError code `wrong-dialog` when the response belongs to another dialog.
   * @throws SipParseError when a needed header is malformed.
   */
  receiveResponse(response: SipResponse): ReceiveResponseResult {
    const id = dialogIdOf(response, 'uac');
    const cseq = response.cseq();
    const status = response.status;
    const creating = this.role === 'uac' && cseq.seq === this.#creatingSeq && cseq.method === this.#creatingMethod;
    if (id.callId !== this.id.callId || id.localTag !== this.id.localTag) throw wrongDialog('response');
    if (id.remoteTag !== this.id.remoteTag && !(creating && status >= 300)) throw wrongDialog('response');
    this.touch();
    let refreshed = false;
    if (status >= 200 && cseq.method === 'INVITE' && cseq.seq === this.#outgoingInvite) this.#outgoingInvite = undefined;
    if (status < 101) return { state: this.#state, targetRefreshed: false };
    if (creating) {
      if (status >= 300) this.#apply('failure');
      else {
        if (this.#state === 'early') {
          const contact = response.contacts()[0];
          if (contact !== undefined) {
            refreshed = !sameUri(contact.uri, this.#remoteTarget);
            this.#remoteTarget = contact.uri;
          }
          // §13.2.2.4: the 2xx's Record-Route is the route set from now on.
          if (status >= 200) this.#routeSet = response.recordRoutes().map((rr) => rr.uri).reverse();
        }
        this.#apply(status >= 200 ? 'success' : 'provisional');
      }
    } else if (status >= 200 && status <= 299 && TARGET_REFRESH_METHODS.has(cseq.method) && this.#state !== 'terminated') {
      const contact = response.contacts()[0];
      if (contact !== undefined) {
        refreshed = !sameUri(contact.uri, this.#remoteTarget);
        this.#remoteTarget = contact.uri;
      }
    } else if (status === 481 || status === 408) this.#apply('dialog-gone');
    return { state: this.#state, targetRefreshed: refreshed };
  }

  /**
   * No response came for a request we sent (Timer B/F) or the transport failed: for the creating request the
   * (early) dialog fails (§12.3); for any other request the dialog is terminated (§12.2.1.2). Clears the
   * pending-INVITE flag.
   * @throws DialogError code `wrong-dialog` when the request belongs to another dialog.
   */
  requestFailed(request: SipRequest): DialogState {
    const id = dialogIdOf(request, 'uac');
    if (id.callId !== this.id.callId || id.localTag !== this.id.localTag) throw wrongDialog('request');
    const cseq = request.cseq();
    if (cseq.method === 'INVITE' && cseq.seq === this.#outgoingInvite) this.#outgoingInvite = undefined;
    const creating = this.role === 'uac' && cseq.seq === this.#creatingSeq && cseq.method === this.#creatingMethod;
    this.#apply(creating ? 'failure' : 'dialog-gone');
    return this.#state;
  }

  // ---- requests we receive (RFC 3261 §12.2.2, §14.2, §15.1.2) -------------------------------------

  /**
   * Checks and records a request the peer sent in this dialog (RFC 3261 §12.2.2). In order:
   * 1. terminated dialog → reject 481 (ACK → drop);
   * 2. ACK → accept if it is for the last INVITE we received (stop the 2xx retransmissions), else drop;
   *    CANCEL → accept (the transaction layer answers it, §9.2); neither touches the remote CSeq;
   * 3. CSeq not above the remote CSeq → reject 500 (out of order), remote CSeq unchanged;
   *    otherwise the remote CSeq becomes the request's;
   * 4. INVITE while our INVITE is pending → reject 491; INVITE while the peer's previous INVITE has no final
   *    response from us → reject 500 with Retry-After 0–10 s (§14.2);
   * 5. accept: an INVITE becomes pending until {@link responseSent} sees its final response; a target refresh
   *    with Contact replaces the remote target; a BYE terminates the dialog (§15.1.2).
   * @throws DialogError code `wrong-dialog` when the request's To/From tags or Call-ID name another dialog.
   * @throws SipParseError when CSeq or Contact is malformed.
   */
  receiveRequest(request: SipRequest): ReceiveRequestResult {
    const id = dialogIdOf(request, 'uas');
    if (id.callId !== this.id.callId || id.localTag !== this.id.localTag || id.remoteTag !== this.id.remoteTag) throw wrongDialog('request');
    const method = request.method;
    if (this.#state === 'terminated') return method === 'ACK' ? DROP : NO_DIALOG;
    const seq = request.cseq().seq;
    this.touch();
    if (method === 'ACK') return seq === this.#lastIncomingInvite ? ACCEPT : DROP;
    if (method === 'CANCEL') return ACCEPT;
    if (this.#remoteSeq !== undefined && seq <= this.#remoteSeq) return OUT_OF_ORDER;
    this.#remoteSeq = seq;
    if (method === 'INVITE') {
      if (this.#outgoingInvite !== undefined) return REQUEST_PENDING;
      if (this.#incomingInvite !== undefined) {
        return { kind: 'reject', status: 500, code: 'invite-in-progress', retryAfter: Math.min(10, Math.floor(this.#random() * 11)) };
      }
      this.#incomingInvite = seq;
      this.#lastIncomingInvite = seq;
    }
    let refreshed = false;
    if (TARGET_REFRESH_METHODS.has(method)) {
      const contact = request.contacts()[0];
      if (contact !== undefined) {
        refreshed = !sameUri(contact.uri, this.#remoteTarget);
        this.#remoteTarget = contact.uri;
      }
    }
    if (method === 'BYE') {
      const unanswered = this.#incomingInvite;
      this.#apply('bye');
      return unanswered === undefined ? ACCEPT : { kind: 'accept', targetRefreshed: false, unansweredInvite: unanswered };
    }
    return refreshed ? ACCEPT_REFRESHED : ACCEPT;
  }

  // ---- responses we send (RFC 3261 §12.1.1, §13.3.1.4, §14.2) -------------------------------------

  /**
   * A response to a request the peer sent in this dialog (or to the creating request): `createResponse`
   * (§8.2.6.2) with our local tag in To, plus — for a 101–299 — the request's Record-Route when it is the
   * creating request (§12.1.1) and our Contact when the method is a target refresh. Then give it to
   * {@link responseSent} when it is sent.
   * @throws TypeError when a body has no Content-Type.
   * @throws RangeError when the status is not 100–699.
   */
  createResponse(request: SipRequest, status: number, opts: DialogResponseOptions = {}): SipResponse {
    const extra = headerPairs(opts.headers);
    checkBodyType(opts.body, opts.contentType, extra);
    const headers: Array<[string, string]> = [];
    if (status >= 101 && status <= 299) {
      const cseq = request.cseq();
      const creating = this.role === 'uas' && cseq.seq === this.#creatingSeq && cseq.method === this.#creatingMethod;
      if (creating) for (const rr of request.getLines('record-route')) headers.push(['Record-Route', rr]);
      if (TARGET_REFRESH_METHODS.has(request.method) && this.localContact !== undefined) headers.push(['Contact', this.localContact.toString()]);
    }
    headers.push(...extra);
    if (opts.contentType !== undefined) headers.push(['Content-Type', opts.contentType]);
    return createResponse(request, status, opts.reason, { toTag: this.id.localTag, headers, body: opts.body });
  }

  /**
   * Records a response we sent to a request received in this dialog: for the creating request a 1xx keeps
   * the dialog early, a 2xx confirms it, a 300–699 terminates it (§12.3); a final response to the pending
   * INVITE from the peer clears {@link incomingInvitePending} (§14.2).
   * @throws DialogError code `wrong-dialog` when the Call-ID is another dialog's.
   */
  responseSent(response: SipResponse): DialogState {
    if (response.callId !== this.id.callId) throw wrongDialog('response');
    const status = response.status;
    if (status < 101) return this.#state;
    const cseq = response.cseq();
    this.touch();
    if (status >= 200 && cseq.method === 'INVITE' && cseq.seq === this.#incomingInvite) this.#incomingInvite = undefined;
    const creating = this.role === 'uas' && cseq.seq === this.#creatingSeq && cseq.method === this.#creatingMethod;
    if (creating) this.#apply(status >= 300 ? 'failure' : status >= 200 ? 'success' : 'provisional');
    return this.#state;
  }
}

const ACCEPT: Acceptance = Object.freeze({ kind: 'accept', targetRefreshed: false });
const ACCEPT_REFRESHED: Acceptance = Object.freeze({ kind: 'accept', targetRefreshed: true });
const DROP: Drop = Object.freeze({ kind: 'drop' });
const NO_DIALOG: Rejection = Object.freeze({ kind: 'reject', status: 481, code: 'no-dialog' });
const OUT_OF_ORDER: Rejection = Object.freeze({ kind: 'reject', status: 500, code: 'out-of-order' });
const REQUEST_PENDING: Rejection = Object.freeze({ kind: 'reject', status: 491, code: 'request-pending' });

function wrongDialog(what: string): DialogError {
  return new DialogError('wrong-dialog', `the ${what} belongs to another dialog`);
}

function sameUri(a: Uri, b: Uri): boolean {
  return a.toString() === b.toString();
}

/** `response` answers `request`: same Call-ID, From tag and CSeq. */
function checkAnswers(request: SipRequest, response: SipResponse): void {
  const rq = request.cseq();
  const rs = response.cseq();
  if (request.callId !== response.callId || rq.seq !== rs.seq || rq.method !== rs.method || request.from().tag !== response.from().tag) {
    throw new DialogError('not-dialog-creating', 'the response does not answer the request (Call-ID, From tag, CSeq)');
  }
}

function checkHeaders(init: HeaderInit | undefined, targetRefresh: boolean): Array<[string, string]> {
  const pairs = headerPairs(init);
  for (const [n] of pairs) {
    const key = headerKey(n);
    if (DIALOG_HEADERS.has(key) || (targetRefresh && key === 'contact')) throw new TypeError(`headers: ${n} is written by the dialog`);
  }
  return pairs;
}
