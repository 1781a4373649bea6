// INVITE sessions on top of dialogs and transactions: the UAS side (answer, reject, 2xx until ACK, BYE,
// re-INVITE) and the UAC side (INVITE with digest retry, ACK for 2xx, CANCEL, BYE) — RFC 3261 §9, §13, §14, §15.
import type { SipRequest, SipResponse } from '../message/index.ts';
import { SipRequest as Request, createResponse, generateCallId, generateTag } from '../message/index.ts';
import { Dialog, DialogTable, TwoXxRetransmitter, createCancel, createDialogResponse, createRejection } from '../dialog/index.ts';
import type { Endpoint } from '../transport/sockets.ts';
import type { ClientTransaction, ServerTransaction } from '../transaction/transaction.ts';
import type { ClientCredentials, UserAgent } from './user-agent.ts';
import { authorize } from './user-agent.ts';

export type SessionState = 'initial' | 'early' | 'confirmed' | 'terminated';

/** Why a session ended, for CDRs and logs. */
export type EndReason =
  | 'local-bye'
  | 'remote-bye'
  | 'cancelled'
  | 'rejected'
  | 'failed'
  | 'no-ack'
  | 'timeout'
  | 'closed';

export interface SessionEvents {
  /** Our 2xx was ACKed (UAS) — media may flow both ways. */
  onConfirmed?(): void;
  /** A re-INVITE with an offer: return our answer SDP (or undefined to refuse with 488). */
  onReinvite?(offerSdp: string, req: SipRequest): string | undefined;
  /** An INFO (e.g. application/dtmf-relay). */
  onInfo?(req: SipRequest): void;
  /** The session ended (once). */
  onEnded?(reason: EndReason, detail?: string): void;
}

abstract class InviteSession {
  protected readonly mgr: InviteSessions;
  /** The flow in-dialog requests go to (the source of the INVITE, or the destination we sent it to). */
  readonly peer: Endpoint;
  dialog: Dialog | undefined;
  #state: SessionState = 'initial';
  events: SessionEvents = {};
  endReason: EndReason | undefined;
  protected retransmitter: TwoXxRetransmitter | undefined;

  constructor(mgr: InviteSessions, peer: Endpoint) {
    this.mgr = mgr;
    this.peer = peer;
  }

  get state(): SessionState {
    return this.#state;
  }

  protected setState(s: SessionState): void {
    this.#state = s;
  }

  get callId(): string | undefined {
    return this.dialog?.callId;
  }

  protected end(reason: EndReason, detail?: string): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.endReason = reason;
    this.retransmitter?.stop();
    if (this.dialog) {
      this.dialog.terminate();
      this.mgr.forget(this.dialog);
    }
    this.mgr.released(this);
    try {
      this.events.onEnded?.(reason, detail);
    } catch {
      // A throwing listener must not break the signalling path.
    }
  }

  /** Sends BYE (§15.1.1) and ends the session at once; resolves when the BYE transaction ends. */
  async bye(): Promise<void> {
    const d = this.dialog;
    if (!d || this.state !== 'confirmed') {
      this.end('local-bye');
      return;
    }
    const req = d.createRequest('BYE', { headers: [['User-Agent', this.mgr.ua.options.product]] });
    this.end('local-bye');
    await new Promise<void>((resolve) => {
      this.mgr.ua.transactions.request(req, this.peer, {
        onResponse: (res) => {
          if (res.status >= 200) resolve();
        },
        onError: () => resolve(),
      });
    });
  }

  /** Sends a re-INVITE with a new offer (hold/unhold, session refresh — §14.1); resolves with the answer SDP. */
  async reinvite(sdp: string): Promise<{ status: number; sdp?: string }> {
    const d = this.dialog;
    if (!d || this.state !== 'confirmed') throw new TypeError('reinvite: the session is not confirmed');
    const req = d.createRequest('INVITE', { body: sdp, contentType: 'application/sdp' });
    return new Promise((resolve) => {
      let acked = false;
      this.mgr.ua.transactions.request(req, this.peer, {
        onResponse: (res) => {
          if (res.status < 200) return;
          d.receiveResponse(res);
          if (res.status < 300) {
            const ack = d.ackFor(res) ?? d.createAck(req, res);
            this.mgr.ua.transactions.sendAck(ack, this.peer);
            if (!acked) {
              acked = true;
              resolve({ status: res.status, sdp: res.body.length ? res.body.toString() : undefined });
            }
          } else {
            resolve({ status: res.status });
            if (res.status === 481 || res.status === 408) this.end('failed', `re-INVITE got ${res.status}`);
          }
        },
        onError: () => {
          d.requestFailed(req);
          resolve({ status: 408 });
          this.end('timeout', 're-INVITE timed out');
        },
      });
    });
  }

  /** An in-dialog request routed here by the manager (§12.2.2). */
  handleRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    const d = this.dialog;
    if (!d) return;
    const verdict = d.receiveRequest(req);
    if (verdict.kind === 'drop') return;
    if (verdict.kind === 'reject') {
      if (tx && !tx.finalSent) tx.respond(createRejection(req, verdict));
      return;
    }
    const method = req.method;
    if (method === 'ACK') {
      this.onAck(req);
      return;
    }
    if (!tx) return;
    switch (method) {
      case 'BYE': {
        const res = d.createResponse(req, 200);
        tx.respond(res);
        d.responseSent(res);
        this.end('remote-bye');
        return;
      }
      case 'INVITE': {
        const offer = req.body.length ? req.body.toString() : '';
        let answer: string | undefined;
        try {
          answer = this.events.onReinvite?.(offer, req);
        } catch {
          answer = undefined;
        }
        if (answer === undefined) {
          const res = d.createResponse(req, 488);
          tx.respond(res);
          d.responseSent(res);
          return;
        }
        const res = d.createResponse(req, 200, {
          body: answer,
          contentType: 'application/sdp',
          headers: [['Contact', `<${this.mgr.ua.contactUri()}>`]],
        });
        tx.respond(res);
        d.responseSent(res);
        this.#retransmit(res, tx, false);
        return;
      }
      case 'INFO':
        this.events.onInfo?.(req);
        tx.respond(d.createResponse(req, 200));
        return;
      case 'OPTIONS':
      case 'UPDATE':
        tx.respond(d.createResponse(req, 200));
        return;
      default:
        tx.respond(d.createResponse(req, 405, { headers: [['Allow', this.mgr.ua.options.allow.join(', ')]] }));
    }
  }

  /** Retransmits a 2xx until ACK (§13.3.1.4); `initial` marks the INVITE that created the session. */
  #retransmit(res: SipResponse, tx: ServerTransaction, initial: boolean): void {
    this.retransmitter?.stop();
    const ua = this.mgr.ua;
    const timers = ua.transactions.options.timers;
    this.retransmitter = new TwoXxRetransmitter({
      scheduler: ua.scheduler,
      t1: timers.t1,
      t2: timers.t2,
      send: () => {
        if (!tx.terminated) tx.respond(res);
        else ua.transactions.sendResponse(res, this.peer);
      },
      onTimeout: () => {
        // §13.3.1.4: no ACK within 64·T1 — confirm and end the session with BYE.
        if (initial) {
          this.setState('confirmed');
          void this.bye().then(() => undefined);
          this.endReason = 'no-ack';
        }
      },
    });
    this.retransmitter.start();
  }

  protected startRetransmit(res: SipResponse, tx: ServerTransaction): void {
    this.#retransmit(res, tx, true);
  }

  protected onAck(_ack: SipRequest): void {
    this.retransmitter?.ackReceived();
  }

  /** Ends without signalling (shutdown). */
  close(): void {
    this.end('closed');
  }

  /** Marks the dialog alive (media is flowing), so the idle sweep spares it. */
  touch(): void {
    this.dialog?.touch();
  }
}

/** The UAS side of an INVITE (an incoming call leg). */
export class IncomingCall extends InviteSession {
  readonly request: SipRequest;
  readonly tx: ServerTransaction;
  readonly source: Endpoint;
  readonly #toTag = generateTag();

  constructor(mgr: InviteSessions, request: SipRequest, tx: ServerTransaction, source: Endpoint) {
    super(mgr, source);
    this.request = request;
    this.tx = tx;
    this.source = source;
  }

  /** The caller's SDP offer (empty when the INVITE had none — offer in the 2xx, §13.2.1). */
  get offer(): string {
    return this.request.body.length ? this.request.body.toString() : '';
  }

  #contact(): string {
    return `<${this.mgr.ua.contactUri()}>`;
  }

  #ensureDialog(res: SipResponse): void {
    if (!this.dialog) {
      this.dialog = this.mgr.adopt(this.request, res, this);
    }
    this.dialog.responseSent(res);
  }

  /** Sends 180 Ringing or 183 Session Progress (with early media SDP) — §13.3.1.1. */
  progress(status: 180 | 183 = 180, sdp?: string): void {
    if (this.state === 'terminated' || this.tx.finalSent) return;
    const res = createDialogResponse(this.request, status, {
      contact: this.#contact(),
      toTag: this.#toTag,
      headers: [['Server', this.mgr.ua.options.product]],
      ...(sdp ? { body: sdp, contentType: 'application/sdp' } : {}),
    });
    this.tx.respond(res);
    this.#ensureDialog(res);
    this.setState('early');
  }

  /** Answers 200 with our SDP; retransmits until ACK (§13.3.1.4). */
  answer(sdp: string): void {
    if (this.state === 'terminated' || this.tx.finalSent) throw new TypeError(`answer: the call is no longer answerable (state ${this.state}, last response ${this.tx.lastResponse?.status ?? 'none'}, ended ${this.endReason ?? '-'})`);
    const res = createDialogResponse(this.request, 200, {
      contact: this.#contact(),
      toTag: this.#toTag,
      body: sdp,
      contentType: 'application/sdp',
      headers: [
        ['Allow', this.mgr.ua.options.allow.join(', ')],
        ['Server', this.mgr.ua.options.product],
      ],
    });
    this.tx.respond(res);
    this.#ensureDialog(res);
    this.setState('confirmed');
    this.startRetransmit(res, this.tx);
  }

  /** Refuses the call with a final 3xx–6xx (§13.3.1.3). */
  reject(status: number, reason?: string, headers?: Array<[string, string]>): void {
    if (this.state === 'terminated' || this.tx.finalSent) return;
    const res = createResponse(this.request, status, reason, { toTag: this.#toTag, headers: headers ?? [] });
    this.tx.respond(res);
    if (this.dialog) this.dialog.responseSent(res);
    this.end('rejected', `${status}`);
  }

  protected override onAck(ack: SipRequest): void {
    super.onAck(ack);
    this.events.onConfirmed?.();
  }

  /** The caller sent CANCEL; the INVITE got 487 (§9.2). */
  cancelled(): void {
    const last = this.tx.lastResponse;
    if (this.dialog && last) this.dialog.responseSent(last);
    this.end('cancelled');
  }
}

export interface OutgoingCallOptions {
  /** Request-URI. */
  uri: string;
  /** Where to send (a registered contact's flow, a gateway, a trunk). */
  dest: Endpoint;
  /** From: a name-addr without tag (a tag is added). */
  from: string;
  /** To: a name-addr (defaults to the Request-URI). */
  to?: string;
  sdp: string;
  credentials?: ClientCredentials;
  headers?: Array<[string, string]>;
  callId?: string;
}

export interface OutgoingCallEvents extends SessionEvents {
  onProgress?(res: SipResponse): void;
  onAnswered?(res: SipResponse): void;
  onFailed?(status: number, res?: SipResponse): void;
}

/** The UAC side of an INVITE (an outgoing call leg). */
export class OutgoingCall extends InviteSession {
  override events: OutgoingCallEvents = {};
  request: SipRequest;
  #tx: ClientTransaction | undefined;
  #authTried = false;
  #final = false;
  #cancelWanted = false;
  #gotProvisional = false;
  readonly options: OutgoingCallOptions;

  constructor(mgr: InviteSessions, opts: OutgoingCallOptions) {
    super(mgr, opts.dest);
    this.options = opts;
    const ua = mgr.ua;
    this.request = new Request({
      method: 'INVITE',
      uri: opts.uri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `${opts.from};tag=${generateTag()}`],
        ['To', opts.to ?? `<${opts.uri}>`],
        ['Call-ID', opts.callId ?? generateCallId()],
        ['CSeq', '1 INVITE'],
        ['Contact', `<${ua.contactUri()}>`],
        ['Allow', ua.options.allow.join(', ')],
        ['User-Agent', ua.options.product],
        ...(opts.headers ?? []),
        ['Content-Type', 'application/sdp'],
      ],
      body: opts.sdp,
    });
  }

  /** The SDP answer, once answered. */
  answerSdp: string | undefined;

  start(): void {
    this.#send(this.request);
  }

  #send(req: SipRequest): void {
    this.request = req;
    this.#tx = this.mgr.ua.transactions.request(req, this.peer, {
      onResponse: (res) => this.#onResponse(req, res),
      onError: () => {
        if (this.#final) return;
        this.#final = true;
        this.events.onFailed?.(408);
        this.end('timeout');
      },
    });
  }

  #onResponse(req: SipRequest, res: SipResponse): void {
    const s = res.status;
    if (s < 200) {
      if (res.to().tag !== undefined) {
        const r = this.mgr.table.receiveCreatingResponse(req, res);
        if (r.dialog && !this.dialog) this.mgr.bind(r.dialog, this);
        if (r.dialog) this.dialog = r.dialog;
      }
      if (this.state === 'initial') this.setState('early');
      this.#gotProvisional = true;
      if (this.#cancelWanted) this.#sendCancel();
      this.events.onProgress?.(res);
      return;
    }
    if (s < 300) {
      const r = this.mgr.table.receiveCreatingResponse(req, res);
      const d = r.dialog;
      if (!d) return;
      if (r.created) this.mgr.bind(d, this);
      if (this.dialog && this.dialog !== d && this.#final) {
        // A second fork answered (§13.2.2.4): ACK it and hang it up.
        const ack = d.createAck(req, res);
        this.mgr.ua.transactions.sendAck(ack, this.peer);
        const bye = d.createRequest('BYE');
        d.terminate();
        this.mgr.forget(d);
        this.mgr.ua.transactions.request(bye, this.peer, { onResponse: () => {} });
        return;
      }
      this.dialog = d;
      const ack = d.ackFor(res) ?? d.createAck(req, res);
      this.mgr.ua.transactions.sendAck(ack, this.peer);
      if (this.#final) return; // a retransmitted 2xx: re-ACKed above
      this.#final = true;
      this.setState('confirmed');
      this.answerSdp = res.body.length ? res.body.toString() : undefined;
      if (this.#cancelWanted) {
        // The 2xx crossed our CANCEL: the call is up, end it (§9.1).
        void this.bye();
        return;
      }
      this.events.onAnswered?.(res);
      return;
    }
    if ((s === 401 || s === 407) && this.options.credentials && !this.#authTried) {
      this.#authTried = true;
      const retry = authorize(req, res, this.options.credentials);
      if (retry) {
        this.#send(retry);
        return;
      }
    }
    if (this.#final) return;
    this.#final = true;
    this.mgr.table.receiveCreatingResponse(req, res);
    this.events.onFailed?.(s, res);
    this.end(this.#cancelWanted && s === 487 ? 'cancelled' : 'failed', String(s));
  }

  /** A 2xx retransmission after the transaction ended (§13.2.2.4): ACK again. */
  strayResponse(res: SipResponse): void {
    const ack = this.dialog?.ackFor(res);
    if (ack) this.mgr.ua.transactions.sendAck(ack, this.peer);
  }

  /** Cancels a call not answered yet (§9.1: CANCEL only after a provisional response arrived). */
  cancel(): void {
    if (this.#final || this.#cancelWanted) return;
    this.#cancelWanted = true;
    if (this.#gotProvisional) this.#sendCancel();
  }

  #sendCancel(): void {
    const tx = this.#tx;
    if (!tx || this.#final) return;
    const cancel = createCancel(this.request);
    this.mgr.ua.transactions.request(cancel, this.peer, { onResponse: () => {} });
  }

  /** Ends the call whatever its state: CANCEL before an answer, BYE after. */
  async hangup(): Promise<void> {
    if (this.state === 'confirmed') await this.bye();
    else if (!this.#final) this.cancel();
  }
}

export interface InviteSessionsHandlers {
  /** A new incoming call; answer, ring or reject it through the IncomingCall. */
  onIncoming(call: IncomingCall): void;
}

export interface InviteSessionsOptions {
  /**
   * A dialog with no signalling and no `touch()` (the call layer touches it while media flows) for this long is
   * considered dead: a confirmed one gets BYE, an early one is dropped (RFC 3261 §12 leaves liveness to the UA).
   */
  maxIdleMs: number;
  /** How often idle dialogs are looked for, ms. */
  sweepEveryMs: number;
}

export const INVITE_SESSIONS_DEFAULTS: Readonly<InviteSessionsOptions> = Object.freeze({ maxIdleMs: 15 * 60_000, sweepEveryMs: 30_000 });

/**
 * Owns the INVITE dialogs of a UserAgent: routes in-dialog requests and CANCELs to their session, answers
 * 481 for unknown dialogs, and creates outgoing calls.
 */
export class InviteSessions {
  readonly ua: UserAgent;
  readonly table = new DialogTable();
  #byDialog = new Map<Dialog, InviteSession>();
  #byTx = new Map<ServerTransaction, IncomingCall>();
  #sessions = new Set<InviteSession>();
  #handlers: InviteSessionsHandlers;
  readonly options: Readonly<InviteSessionsOptions>;
  #sweep: { cancel(): void } | undefined;
  #closed = false;
  /** Sessions ended by the idle sweep. */
  idleEnded = 0;

  constructor(ua: UserAgent, handlers: InviteSessionsHandlers, options: Partial<InviteSessionsOptions> = {}) {
    this.ua = ua;
    this.#handlers = handlers;
    this.options = Object.freeze({ ...INVITE_SESSIONS_DEFAULTS, ...options });
    ua.handlers.invite = (req, tx, source) => {
      const call = new IncomingCall(this, req, tx, source);
      this.#sessions.add(call);
      this.#armSweep();
      this.#byTx.set(tx, call);
      this.#handlers.onIncoming(call);
    };
    ua.handlers.inDialog = (req, tx) => this.#inDialog(req, tx);
    ua.handlers.cancel = (invite) => {
      const call = this.#byTx.get(invite);
      call?.cancelled();
    };
    ua.handlers.strayResponse = (res) => {
      if (res.status < 200 || res.status >= 300 || res.cseq().method !== 'INVITE') return;
      const d = this.table.find(res);
      const s = d ? this.#byDialog.get(d) : undefined;
      if (s instanceof OutgoingCall) s.strayResponse(res);
    };
  }

  /** Live sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  #armSweep(): void {
    if (this.#sweep || this.#closed || this.#sessions.size === 0) return;
    this.#sweep = this.ua.scheduler.setTimer(this.options.sweepEveryMs, () => {
      this.#sweep = undefined;
      this.sweepIdle();
      this.#armSweep();
    });
  }

  /** Ends sessions whose dialog has been idle longer than `maxIdleMs` (the peer vanished). */
  sweepIdle(): number {
    let n = 0;
    for (const d of this.table.staleDialogs(this.ua.scheduler.now(), this.options.maxIdleMs)) {
      const s = this.#byDialog.get(d);
      n++;
      this.idleEnded++;
      if (s && s.state === 'confirmed') void s.bye();
      else if (s) s.close();
      else {
        d.terminate();
        this.forget(d);
      }
    }
    return n;
  }

  #inDialog(req: SipRequest, tx: ServerTransaction | undefined): boolean {
    const found = this.table.lookup(req);
    if (found.kind !== 'dialog') return false;
    const s = this.#byDialog.get(found.dialog);
    if (!s) return false;
    s.handleRequest(req, tx);
    return true;
  }

  /** Places an outgoing call. */
  call(opts: OutgoingCallOptions, events: OutgoingCallEvents = {}): OutgoingCall {
    const c = new OutgoingCall(this, opts);
    c.events = events;
    this.#sessions.add(c);
    this.#armSweep();
    c.start();
    return c;
  }

  /** @internal A UAS session's first dialog-creating response. */
  adopt(request: SipRequest, res: SipResponse, session: IncomingCall): Dialog {
    const d = Dialog.fromUasRequest(request, res, { clock: this.ua.scheduler });
    this.table.add(d);
    this.#byDialog.set(d, session);
    return d;
  }

  /** @internal */
  bind(d: Dialog, s: InviteSession): void {
    this.#byDialog.set(d, s);
  }

  /** @internal */
  forget(d: Dialog): void {
    this.#byDialog.delete(d);
    this.table.delete(d);
  }

  /** @internal */
  released(s: InviteSession): void {
    this.#sessions.delete(s);
    if (s instanceof IncomingCall) this.#byTx.delete(s.tx);
    if (this.#sessions.size === 0) {
      this.#sweep?.cancel();
      this.#sweep = undefined;
    }
  }

  /** Ends every session without signalling (shutdown); leaves no timer. */
  close(): void {
    this.#closed = true;
    this.#sweep?.cancel();
    this.#sweep = undefined;
    for (const s of [...this.#sessions]) s.close();
  }
}
