// The transaction layer: matches messages to transactions (RFC 3261 §17.1.3, §17.2.3 with the RFC 2543 fallback),
// creates server transactions for new requests, answers CANCEL (§9.2), refuses merged requests (§8.2.2.2).
import type { SipMessage, SipResponse, Via } from '../message/index.ts';
import { SipRequest, createResponse, generateBranch } from '../message/index.ts';
import type { Endpoint, TransportProto } from '../transport/sockets.ts';
import { responseDestination } from '../transport/layer.ts';
import type { Scheduler } from '../../util/scheduler.ts';
import type { TimerOptions, TxWire } from './transaction.ts';
import { ClientTransaction, ServerTransaction, TIMER_DEFAULTS, TransactionTimeoutError } from './transaction.ts';
import type { ClientTransactionEvents } from './transaction.ts';

/** What the transaction layer needs from the transport layer. */
export interface TxTransport {
  /** Puts bytes on the wire (UDP fire-and-forget, or a TCP connection). */
  send(bytes: Buffer, dest: Endpoint): void;
  /** A fresh Via for a request we send. */
  makeVia(transport: TransportProto, branch: string): Via;
  /** UDP, or TCP when the message is too large for UDP (RFC 3261 §18.1.1). */
  transportFor(msgLength: number, dest: Endpoint): TransportProto;
}

/** The transaction user (the UA core) above the layer. */
export interface TransactionUser {
  /**
   * A new request. `tx` is its server transaction (already answered 100 Trying for INVITE); ACK for a 2xx
   * has no transaction (`tx` undefined, §17.2.3 / §13.3.1.4).
   */
  onRequest(req: SipRequest, tx: ServerTransaction | undefined, source: Endpoint): void;
  /** A CANCEL matched `invite` (already answered 200; the INVITE got 487 if it had no final response). */
  onCancel?(invite: ServerTransaction, cancel: SipRequest): void;
  /** A response that matches no transaction (e.g. a retransmitted 2xx after the ICT ended, §13.2.2.4). */
  onStrayResponse?(res: SipResponse, source: Endpoint): void;
}

export interface TransactionLayerOptions {
  timers: Readonly<TimerOptions>;
  /** Bound on live transactions; beyond it new requests get 503 (every per-source table is bounded). */
  maxTransactions: number;
  /** Send 100 Trying at once for INVITE (§17.2.1: a server MUST unless the TU answers within 200 ms). */
  auto100: boolean;
  /**
   * Safety net: a server transaction the TU has not answered with a final response after this long gets
   * 500, so a TU bug can never hold a transaction (and its memory) forever.
   */
  unansweredTimeoutMs: number;
  /**
   * An INVITE client transaction still without a final response after this long ends with a Timer C
   * timeout (RFC 3261 §16.6 sets Timer C above 3 minutes); the TU normally CANCELs well before.
   */
  inviteTimeoutMs: number;
}

export const TRANSACTION_LAYER_DEFAULTS: Readonly<TransactionLayerOptions> = Object.freeze({
  timers: TIMER_DEFAULTS,
  maxTransactions: 200_000,
  auto100: true,
  unansweredTimeoutMs: 300_000,
  inviteTimeoutMs: 181_000,
});

/** Counters for logs and metrics. */
export interface TransactionStats {
  serverCreated: number;
  clientCreated: number;
  retransmissionsAbsorbed: number;
  merged482: number;
  cancel481: number;
  overload503: number;
  strayResponses: number;
  timeouts: number;
}

function lowerHost(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/** §17.2.3: branch + sent-by + method (ACK matches its INVITE); RFC 2543 fallback for branches without the cookie. */
export function serverKey(req: SipRequest, methodOverride?: string): string {
  const via = req.topVia();
  const method = methodOverride ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  if (via.isRfc3261Branch) return `${via.branch}|${lowerHost(via)}|${method}`;
  // RFC 3261 §17.2.3 for RFC 2543 peers: Request-URI, From tag, Call-ID, CSeq number, top Via (the To tag is
  // checked separately for ACK, which carries the tag of our response).
  return `2543|${req.uriText}|${req.from().tag ?? ''}|${req.callId}|${req.cseq().seq}|${via.toString()}|${method}`;
}

/** §17.1.3: branch of the top Via + CSeq method. */
export function clientKey(msg: SipMessage): string {
  return `${msg.topVia().branch ?? ''}|${msg.cseq().method}`;
}

/**
 * Owns every live transaction. `receive()` takes what the transport delivers; `request()` starts a client
 * transaction. Everything runs on the injected scheduler.
 */
export class TransactionLayer {
  readonly options: Readonly<TransactionLayerOptions>;
  readonly stats: TransactionStats = {
    serverCreated: 0,
    clientCreated: 0,
    retransmissionsAbsorbed: 0,
    merged482: 0,
    cancel481: 0,
    overload503: 0,
    strayResponses: 0,
    timeouts: 0,
  };
  #transport: TxTransport;
  #scheduler: Scheduler;
  #tu: TransactionUser;
  #server = new Map<string, ServerTransaction>();
  #client = new Map<string, ClientTransaction>();
  /** §8.2.2.2: From tag + Call-ID + CSeq of requests without To tag → their transaction key. */
  #merge = new Map<string, string>();

  constructor(transport: TxTransport, scheduler: Scheduler, tu: TransactionUser, options?: Partial<TransactionLayerOptions>) {
    this.options = Object.freeze({ ...TRANSACTION_LAYER_DEFAULTS, ...options });
    this.#transport = transport;
    this.#scheduler = scheduler;
    this.#tu = tu;
  }

  /** Live transaction counts. */
  get size(): { server: number; client: number } {
    return { server: this.#server.size, client: this.#client.size };
  }

  /** Feeds a message from the transport layer. Never throws for bad input: malformed messages are dropped. */
  receive(msg: SipMessage, source: Endpoint): void {
    try {
      if (msg.isRequest) this.#receiveRequest(msg, source);
      else this.#receiveResponse(msg, source);
    } catch {
      // A header needed for matching is malformed: nothing sensible can be answered; drop (RFC 3261 §16.3 spirit).
    }
  }

  #receiveResponse(res: SipResponse, source: Endpoint): void {
    const tx = this.#client.get(clientKey(res));
    if (tx) {
      tx.receive(res);
      return;
    }
    this.stats.strayResponses++;
    this.#tu.onStrayResponse?.(res, source);
  }

  #receiveRequest(req: SipRequest, source: Endpoint): void {
    const key = serverKey(req);
    const existing = this.#server.get(key);
    if (req.method === 'ACK') {
      if (existing && existing.kind === 'ist' && this.#ackMatches(req, existing)) {
        // ACK for our 3xx–6xx is absorbed (§17.2.1); in Accepted it goes up to the TU (RFC 6026 §7.1).
        existing.events.onAck = (ack) => this.#tu.onRequest(ack, undefined, source);
        existing.receiveAck(req);
        return;
      }
      // ACK for a 2xx: its own transaction, goes straight to the TU (§17.2.3, §13.3.1.4).
      this.#tu.onRequest(req, undefined, source);
      return;
    }
    if (existing) {
      this.stats.retransmissionsAbsorbed++;
      existing.receiveRetransmission();
      return;
    }
    if (req.method === 'CANCEL') {
      this.#receiveCancel(req, source);
      return;
    }
    const wire = this.#serverWire(req, source);
    // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq as a live transaction, but a different branch.
    let mergeKey: string | undefined;
    if (req.to().tag === undefined) {
      mergeKey = `${req.from().tag ?? ''}|${req.callId}|${req.cseq().seq}|${req.cseq().method}`;
      const other = this.#merge.get(mergeKey);
      if (other !== undefined && other !== key && this.#server.has(other)) {
        this.stats.merged482++;
        this.#statelessReply(req, 482, wire);
        return;
      }
    }
    if (this.#server.size + this.#client.size >= this.options.maxTransactions) {
      this.stats.overload503++;
      this.#statelessReply(req, 503, wire, [['Retry-After', '5']]);
      return;
    }
    const tx = new ServerTransaction(key, req, wire, this.#scheduler, this.options.timers);
    this.stats.serverCreated++;
    this.#server.set(key, tx);
    if (mergeKey !== undefined) this.#merge.set(mergeKey, key);
    const guard = this.#scheduler.setTimer(this.options.unansweredTimeoutMs, () => {
      if (!tx.finalSent && !tx.terminated) tx.respond(createResponse(req, 500, 'Request Not Answered'));
    });
    tx.onTerminated = () => {
      guard.cancel();
      if (this.#server.get(key) === tx) this.#server.delete(key);
      if (mergeKey !== undefined && this.#merge.get(mergeKey) === key) this.#merge.delete(mergeKey);
    };
    const prevError = tx.events.onError;
    tx.events.onError = (err, t) => {
      if (err instanceof TransactionTimeoutError) this.stats.timeouts++;
      prevError?.(err, t);
    };
    if (req.method === 'INVITE' && this.options.auto100) tx.respond(createResponse(req, 100));
    this.#tu.onRequest(req, tx, source);
  }

  #ackMatches(ack: SipRequest, tx: ServerTransaction): boolean {
    if (ack.topVia().isRfc3261Branch) return true;
    // RFC 2543 ACK: its To tag equals the tag of the response we sent (§17.2.3).
    const sentTag = tx.lastResponse?.to().tag;
    return sentTag === undefined || sentTag === ack.to().tag;
  }

  #receiveCancel(cancel: SipRequest, source: Endpoint): void {
    const wire = this.#serverWire(cancel, source);
    const invite = this.#server.get(serverKey(cancel, 'INVITE'));
    const tx = new ServerTransaction(serverKey(cancel), cancel, wire, this.#scheduler, this.options.timers);
    this.#server.set(tx.key, tx);
    tx.onTerminated = () => {
      if (this.#server.get(tx.key) === tx) this.#server.delete(tx.key);
    };
    this.stats.serverCreated++;
    if (!invite || invite.kind !== 'ist') {
      // §9.2: no matching transaction → 481.
      this.stats.cancel481++;
      tx.respond(createResponse(cancel, 481));
      return;
    }
    tx.respond(createResponse(cancel, 200));
    if (!invite.finalSent) {
      invite.cancelled = true;
      // §9.2: the UAS answers the INVITE with 487; the To tag must match what provisional responses used.
      const toTag = invite.lastResponse?.to().tag;
      invite.respond(createResponse(invite.request, 487, undefined, toTag ? { toTag } : undefined));
      this.#tu.onCancel?.(invite, cancel);
    }
  }

  #serverWire(req: SipRequest, source: Endpoint): TxWire {
    const dest = responseDestination(req.topVia(), source);
    const transport = this.#transport;
    return { reliable: dest.transport === 'tcp', send: (bytes) => transport.send(bytes, dest) };
  }

  #statelessReply(req: SipRequest, status: number, wire: TxWire, headers?: Array<[string, string]>): void {
    wire.send(createResponse(req, status, undefined, headers ? { headers } : undefined).serialize());
  }

  /**
   * Starts a client transaction for `req` to `dest`. A request without Via gets one with a fresh branch; a
   * request that has one (CANCEL, §9.1) keeps it. Over-size requests switch to TCP (§18.1.1).
   */
  request(req: SipRequest, dest: Endpoint, events: ClientTransactionEvents): ClientTransaction {
    if (req.method === 'ACK') throw new TypeError('ACK is not sent in a client transaction: use sendAck()');
    let to = dest;
    if (!req.has('Via')) {
      const provisional = this.#transport.transportFor(req.serialize().length + 80, dest);
      to = provisional === dest.transport ? dest : { ...dest, transport: provisional };
      req.prepend('Via', this.#transport.makeVia(to.transport, generateBranch()).toString());
    }
    const key = clientKey(req);
    const transport = this.#transport;
    const wire: TxWire = { reliable: to.transport === 'tcp', send: (bytes) => transport.send(bytes, to) };
    const tx = new ClientTransaction(key, req, wire, this.#scheduler, this.options.timers, events, (res) => buildNon2xxAck(req, res).serialize());
    this.#client.set(key, tx);
    this.stats.clientCreated++;
    const guard =
      tx.kind === 'ict'
        ? this.#scheduler.setTimer(this.options.inviteTimeoutMs, () => {
            if (tx.finalResponse || tx.terminated) return;
            this.stats.timeouts++;
            tx.destroy();
            events.onError?.(new TransactionTimeoutError('C'), tx);
          })
        : undefined;
    tx.onTerminated = () => {
      guard?.cancel();
      if (this.#client.get(key) === tx) this.#client.delete(key);
    };
    tx.begin();
    return tx;
  }

  /** Sends an ACK for a 2xx outside any transaction (§13.2.2.4), adding a Via with a fresh branch if needed. */
  sendAck(ack: SipRequest, dest: Endpoint): void {
    if (!ack.has('Via')) ack.prepend('Via', this.#transport.makeVia(dest.transport, generateBranch()).toString());
    this.#transport.send(ack.serialize(), dest);
  }

  /** Sends a response statelessly (e.g. a 2xx retransmission by the UAS core, §13.3.1.4). */
  sendResponse(res: SipResponse, source: Endpoint): void {
    this.#transport.send(res.serialize(), responseDestination(res.topVia(), source));
  }

  /** Ends every transaction (shutdown); leaves no timer behind. */
  close(): void {
    for (const tx of [...this.#server.values(), ...this.#client.values()]) tx.destroy();
    this.#server.clear();
    this.#client.clear();
    this.#merge.clear();
  }
}

/**
 * ACK for a non-2xx final response (RFC 3261 §17.1.1.3): Request-URI, Call-ID, From, CSeq number and Route of
 * the INVITE, To of the response (with its tag), one Via equal to the INVITE's top Via. The one implementation
 * (the dialog layer re-exports it as `createAckForNon2xx`).
 * @throws TypeError when `invite` is not an INVITE or `res` is not a 300–699 answering it.
 */
export function buildNon2xxAck(invite: SipRequest, res: SipResponse): SipRequest {
  if (invite.method !== 'INVITE') throw new TypeError('invite: method must be INVITE');
  if (res.status < 300 || res.status > 699) throw new TypeError('response: status must be 300-699 (a 2xx is ACKed by the dialog, §13.2.2.4)');
  const cseq = invite.cseq();
  const rc = res.cseq();
  if (rc.seq !== cseq.seq || rc.method !== 'INVITE') throw new TypeError('response: CSeq does not answer this INVITE');
  const headers: Array<[string, string]> = [
    ['Via', invite.getAll('via')[0] ?? invite.topVia().toString()],
    ['Max-Forwards', '70'],
  ];
  for (const r of invite.getLines('route')) headers.push(['Route', r]);
  headers.push(['To', res.getLines('to')[0] ?? res.to().toString()]);
  headers.push(['From', invite.getLines('from')[0] ?? invite.from().toString()]);
  headers.push(['Call-ID', invite.callId]);
  headers.push(['CSeq', `${cseq.seq} ACK`]);
  return new SipRequest({ method: 'ACK', uri: invite.uriText, headers });
}
