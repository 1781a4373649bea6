// What the engine reports as calls happen, written with their events in one transaction (DESIGN.md §1, §6): CDRs, affinity, recordings, conversation messages, and the events agent.incoming_call, call.started, call.answered, call.ended, recording.ready, message.created.
import type { EventType } from '../model/index.ts';
import type {
  Affinity,
  CallPatch,
  CallRecord,
  JsonObject,
  Message,
  NewCall,
  NewEvent,
  NewMessage,
  NewRecording,
  Recording,
  Repositories,
  StoredEvent,
  Store,
} from '../store/index.ts';
import type { EventBus } from './bus.ts';

/** Appends an event inside the current transaction. */
export type Emit = (e: NewEvent & { type: EventType }) => Promise<StoredEvent>;

/** Something to tell after events commit (the webhook dispatcher's `wake`). */
export interface EventSinks {
  bus?: EventBus;
  /** Called after a commit that wrote events. */
  wake?: () => void;
}

/**
 * Transactions that write events: `transaction(fn)` gives `fn` the repositories of one transaction and an
 * `emit` that appends to the outbox in it; after the commit the events go to the live bus and the
 * dispatcher is woken. Nothing is published when the transaction rolls back.
 */
export class EventWriter {
  readonly #store: Store;
  readonly #sinks: EventSinks;

  constructor(store: Store, sinks: EventSinks = {}) {
    this.#store = store;
    this.#sinks = sinks;
  }

  /** Runs `fn` in a transaction with an event emitter; publishes its events after commit. */
  async transaction<T>(fn: (tx: Repositories, emit: Emit) => Promise<T>): Promise<T> {
    const written: StoredEvent[] = [];
    const result = await this.#store.transaction((tx) =>
      fn(tx, async (e) => {
        const ev = await tx.outbox.append(e);
        written.push(ev);
        return ev;
      }),
    );
    this.published(written);
    return result;
  }

  /** Appends one event on its own. */
  async emit(e: NewEvent & { type: EventType }): Promise<StoredEvent> {
    return this.transaction((_tx, emit) => emit(e));
  }

  /** Tells the sinks about events committed elsewhere (e.g. by the directory's binding writes). */
  published(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.#sinks.bus?.committed(events);
    this.#sinks.wake?.();
  }
}

const callData = (c: CallRecord): JsonObject => ({
  callId: c.id,
  direction: c.direction,
  customer: c.customer,
  number: c.number,
  agentId: c.agentId,
  startedAt: c.startedAt,
  answeredAt: c.answeredAt,
  endedAt: c.endedAt,
  disposition: c.disposition,
});

/**
 * The engine's record-keeping API (issue 6 calls it as a call progresses). Every method writes its rows and
 * its event atomically.
 */
export class CallActivity {
  readonly #events: EventWriter;

  constructor(events: EventWriter) {
    this.#events = events;
  }

  /** A call began (inbound: after routing; outbound: when placed): CDR + `call.started`. */
  async callStarted(call: NewCall): Promise<CallRecord> {
    return this.#events.transaction(async (tx, emit) => {
      const c = await tx.calls.insert(call);
      await emit({ tenantId: c.tenantId, type: 'call.started', callId: c.id, data: callData(c) });
      return c;
    });
  }

  /**
   * An agent is about to be rung: `agent.incoming_call` for that agent (webhooks and the agent's live
   * stream) with the customer and their last interaction, and an `incoming_call` message in the customer's
   * conversation (+ `message.created`).
   */
  async agentIncomingCall(tenantId: string, p: { callId: string; agentId: string; customer: string; extension?: string }): Promise<StoredEvent> {
    return this.#events.transaction(async (tx, emit) => {
      const last: Affinity | undefined = await tx.affinity.get(tenantId, p.customer);
      const msg = await tx.conversations.addMessage(tenantId, p.customer, { kind: 'incoming_call', callId: p.callId, agentId: p.agentId, body: { text: `Incoming call from ${p.customer}` } });
      await emit({ tenantId, type: 'message.created', callId: p.callId, agentId: p.agentId, data: messageData(msg) });
      return emit({
        tenantId,
        type: 'agent.incoming_call',
        callId: p.callId,
        agentId: p.agentId,
        data: {
          callId: p.callId,
          agentId: p.agentId,
          extension: p.extension ?? null,
          customer: msg.customer,
          conversationId: msg.conversationId,
          lastInteraction: last === undefined ? null : { agentId: last.agentId, callId: last.callId, at: last.updatedAt },
        },
      });
    });
  }

  /** An agent answered: CDR updated + `call.answered`. */
  async callAnswered(tenantId: string, callId: string, p: { agentId: string; answeredAt?: number }): Promise<CallRecord> {
    return this.#events.transaction(async (tx, emit) => {
      const c = await tx.calls.update(tenantId, callId, { agentId: p.agentId, answeredAt: p.answeredAt ?? Date.now() });
      await emit({ tenantId, type: 'call.answered', callId, agentId: p.agentId, data: callData(c) });
      return c;
    });
  }

  /**
   * The call ended: CDR completed (legs, flow path, quality, disposition), the customer's affinity set to
   * the agent who served them (when one answered), `call.ended`.
   */
  async callEnded(tenantId: string, callId: string, patch: CallPatch & { disposition: string; endedAt?: number }): Promise<CallRecord> {
    return this.#events.transaction(async (tx, emit) => {
      const c = await tx.calls.update(tenantId, callId, { ...patch, endedAt: patch.endedAt ?? Date.now() });
      if (c.agentId !== null && c.answeredAt !== null) await tx.affinity.set(tenantId, c.customer, c.agentId, c.id, c.endedAt ?? Date.now());
      await emit({
        tenantId,
        type: 'call.ended',
        callId,
        agentId: c.agentId,
        data: { ...callData(c), durationMs: c.endedAt !== null ? c.endedAt - (c.answeredAt ?? c.startedAt) : null, flowPath: c.flowPath },
      });
      return c;
    });
  }

  /** A recording file is complete: metadata + `recording.ready`. */
  async recordingReady(rec: NewRecording): Promise<Recording> {
    return this.#events.transaction(async (tx, emit) => {
      const r = await tx.recordings.insert(rec);
      await emit({
        tenantId: r.tenantId,
        type: 'recording.ready',
        callId: r.callId,
        data: { recordingId: r.id, callId: r.callId, format: r.format, channels: r.channels, sampleRate: r.sampleRate, durationMs: r.durationMs, sizeBytes: r.sizeBytes },
      });
      return r;
    });
  }

  /** A message for the customer's conversation (a transcript, a note): stored + `message.created`. */
  async messageCreated(tenantId: string, customer: string, msg: NewMessage): Promise<Message> {
    return this.#events.transaction(async (tx, emit) => {
      const m = await tx.conversations.addMessage(tenantId, customer, msg);
      await emit({ tenantId, type: 'message.created', callId: m.callId, agentId: m.agentId, data: messageData(m) });
      return m;
    });
  }
}

/** The `message.created` event data of a message (shared with tenant/pipeline's transcripts). */
export function messageData(m: Message): JsonObject {
  return { messageId: m.id, conversationId: m.conversationId, customer: m.customer, kind: m.kind, callId: m.callId, agentId: m.agentId, body: m.body };
}
