// TEST DOUBLE: an in-memory CallControl (engine/call/types.ts) with scripted keys, prompt behaviour, dial answers and hangups; it records everything the flow did. Not a call: no SIP, no RTP, no timers.
import { CallEndedError } from '../../../engine/call/types.ts';
import type {
  CallControl,
  CallInfo,
  CollectOptions,
  CollectOutcome,
  Digit,
  DialOptions,
  DialOutcome,
  PlayOptions,
  PlayOutcome,
  PromptSource,
  RecordingOutcome,
  VoicemailOptions,
} from '../../../engine/call/types.ts';

/** What a scripted play does: end at once, never end (until hangup or stop), keys pressed during it, or the caller hangs up during it. */
export type PlayScript = 'end' | 'hold' | { press: string } | 'hangup';

/** What a scripted dial does. */
export type DialScript = DialOutcome | 'hold' | 'hangup';

/** What the double recorded, in order. */
export type CallOp =
  | { op: 'answer' }
  | { op: 'play'; key: string; opts: PlayOptions; outcome?: PlayOutcome['reason'] }
  | { op: 'collect'; opts: CollectOptions; outcome?: CollectOutcome }
  | { op: 'dial'; opts: DialOptions; outcome?: DialOutcome['outcome'] }
  | { op: 'waitForEnd' }
  | { op: 'voicemail'; opts: VoicemailOptions }
  | { op: 'hangup'; reason?: string };

/** Script of a {@link ScriptedCall}. */
export interface CallScript {
  info?: Partial<CallInfo>;
  /** Per play, in order (index from 0); default 'end'. */
  onPlay?(prompt: PromptSource, index: number, opts: PlayOptions): PlayScript;
  /** Per dial; default no-answer. */
  onDial?(opts: DialOptions, index: number): DialScript | Promise<DialScript>;
  /** After an answered dial; default the agent hangs up at once. */
  onBridged?(): { endedBy: 'caller' | 'callee' | 'system' } | 'hold' | 'hangup';
  /** Voicemail length reported, ms. Default 4200. */
  voicemailMs?: number;
  /** Render every played prompt (exercises real PromptSources). */
  renderPrompts?: boolean;
}

/** The key queue marker for "the caller waited until the timeout". */
export const PAUSE = 'pause';

/**
 * TEST DOUBLE of CallControl. Keys go into a queue with {@link press} (and {@link pause} for a timeout); `collect`
 * takes keys from it like a real call's buffer and reports `timeout` when it meets a pause or runs dry.
 * {@link callerHangsUp} aborts `signal` and rejects whatever is pending with CallEndedError.
 */
export class ScriptedCall implements CallControl {
  readonly info: CallInfo;
  readonly ops: CallOp[] = [];
  /** PCM of prompts rendered (with `renderPrompts`), by key. */
  readonly rendered = new Map<string, Int16Array>();
  readonly #ac = new AbortController();
  readonly #script: CallScript;
  readonly #keys: Array<Digit | typeof PAUSE> = [];
  readonly #pending = new Set<(err: Error) => void>();
  readonly #digitListeners = new Set<(d: Digit) => void>();
  #plays = 0;
  #dials = 0;
  #answered = false;
  hungUpBy: 'caller' | 'system' | undefined;

  constructor(script: CallScript = {}) {
    this.#script = script;
    this.info = {
      id: 'call-1',
      direction: 'inbound',
      caller: '13800138000',
      called: '02188886666',
      calledIdentity: '02188886666@acme.example',
      startedAt: 0,
      ...script.info,
    };
  }

  get signal(): AbortSignal {
    return this.#ac.signal;
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** Queues keys the caller presses (each character one key). */
  press(keys: string): this {
    for (const k of keys) {
      this.#keys.push(k as Digit);
      for (const l of this.#digitListeners) l(k as Digit);
    }
    return this;
  }

  /** Queues a wait long enough for the current collect to time out. */
  pause(): this {
    this.#keys.push(PAUSE);
    return this;
  }

  /** The caller hangs up now: signal aborts, pending operations reject. */
  callerHangsUp(): void {
    if (this.#ac.signal.aborted) return;
    this.hungUpBy = 'caller';
    this.#ac.abort(new CallEndedError());
    for (const reject of this.#pending) reject(new CallEndedError());
    this.#pending.clear();
  }

  /** Operations of one kind. */
  opsOf<K extends CallOp['op']>(op: K): Array<Extract<CallOp, { op: K }>> {
    return this.ops.filter((o): o is Extract<CallOp, { op: K }> => o.op === op);
  }

  /** Keys of the prompts played, in order. */
  get played(): string[] {
    return this.opsOf('play').map((p) => p.key);
  }

  #ensureLive(): void {
    if (this.#ac.signal.aborted) throw new CallEndedError();
  }

  /** A promise that only settles by hangup (or `release`). */
  #hold<T>(): { promise: Promise<T>; release: (v: T) => void } {
    let release!: (v: T) => void;
    const promise = new Promise<T>((resolve, reject) => {
      const rej = (err: Error): void => reject(err);
      this.#pending.add(rej);
      release = (v) => {
        this.#pending.delete(rej);
        resolve(v);
      };
    });
    return { promise, release };
  }

  async answer(): Promise<void> {
    this.#ensureLive();
    if (!this.#answered) this.ops.push({ op: 'answer' });
    this.#answered = true;
  }

  async play(prompt: PromptSource, opts: PlayOptions = {}): Promise<PlayOutcome> {
    this.#ensureLive();
    const rec: Extract<CallOp, { op: 'play' }> = { op: 'play', key: prompt.key, opts };
    this.ops.push(rec);
    if (this.#script.renderPrompts) this.rendered.set(prompt.key, await prompt.render());
    this.#ensureLive();
    const s = this.#script.onPlay?.(prompt, this.#plays++, opts) ?? 'end';
    let out: PlayOutcome;
    if (s === 'hold') {
      out = await this.#hold<PlayOutcome>().promise;
    } else if (s === 'hangup') {
      queueMicrotask(() => this.callerHangsUp());
      out = await this.#hold<PlayOutcome>().promise;
    } else if (s === 'end') {
      await Promise.resolve();
      out = { reason: 'ended' };
    } else {
      this.press(s.press);
      out = opts.bargeIn && s.press.length > 0 ? { reason: 'barge-in', digit: s.press[0] as Digit } : { reason: 'ended' };
    }
    rec.outcome = out.reason;
    return out;
  }

  async collect(opts: CollectOptions): Promise<CollectOutcome> {
    this.#ensureLive();
    const rec: Extract<CallOp, { op: 'collect' }> = { op: 'collect', opts };
    this.ops.push(rec);
    await Promise.resolve();
    this.#ensureLive();
    let digits = '';
    let reason: CollectOutcome['reason'] = 'timeout';
    while (this.#keys.length > 0) {
      const k = this.#keys.shift()!;
      if (k === PAUSE) break;
      if (opts.terminator !== undefined && k === opts.terminator) {
        reason = 'terminator';
        break;
      }
      digits += k;
      if (digits.length >= opts.maxDigits) {
        reason = 'max-digits';
        break;
      }
    }
    rec.outcome = { digits, reason };
    return rec.outcome;
  }

  async dial(opts: DialOptions): Promise<DialOutcome> {
    this.#ensureLive();
    const rec: Extract<CallOp, { op: 'dial' }> = { op: 'dial', opts };
    this.ops.push(rec);
    const s = (await this.#script.onDial?.(opts, this.#dials++)) ?? { outcome: 'no-answer' };
    this.#ensureLive();
    let out: DialOutcome;
    if (s === 'hold') out = await this.#hold<DialOutcome>().promise;
    else if (s === 'hangup') {
      queueMicrotask(() => this.callerHangsUp());
      out = await this.#hold<DialOutcome>().promise;
    } else out = s;
    rec.outcome = out.outcome;
    return out;
  }

  async waitForEnd(): Promise<{ endedBy: 'caller' | 'callee' | 'system' }> {
    this.#ensureLive();
    this.ops.push({ op: 'waitForEnd' });
    const s = this.#script.onBridged?.() ?? { endedBy: 'callee' as const };
    if (s === 'hold') return this.#hold<{ endedBy: 'caller' | 'callee' | 'system' }>().promise;
    if (s === 'hangup') {
      queueMicrotask(() => this.callerHangsUp());
      return this.#hold<{ endedBy: 'caller' | 'callee' | 'system' }>().promise;
    }
    await Promise.resolve();
    return s;
  }

  async voicemail(opts: VoicemailOptions): Promise<RecordingOutcome> {
    this.#ensureLive();
    this.ops.push({ op: 'voicemail', opts });
    await Promise.resolve();
    this.#ensureLive();
    return { path: opts.path, durationMs: Math.min(this.#script.voicemailMs ?? 4200, opts.maxMs), channels: 1 };
  }

  async hangup(reason?: string): Promise<void> {
    this.#ensureLive();
    this.ops.push({ op: 'hangup', reason });
    this.hungUpBy = 'system';
    this.#ac.abort(new CallEndedError('hung up by the system'));
    for (const reject of this.#pending) reject(new CallEndedError());
    this.#pending.clear();
  }

  onDigit(listener: (d: Digit) => void): () => void {
    this.#digitListeners.add(listener);
    return () => this.#digitListeners.delete(listener);
  }
}
