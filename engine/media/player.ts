// Paced playback of cached G.711 prompts on the media clock: one frame per 20 ms tick through a leg, marker bit on start, silence between prompts and loop rounds, completion and barge-in stop (RFC 3550 §5.1 marker, RFC 3551 §4.1 talkspurts).
import type { Tickable } from './clock.ts';
import { MediaEmitter } from './emitter.ts';
import type { MediaListener, MediaListenerErrorHandler } from './emitter.ts';
import type { OutputOwner, RtpLeg } from './leg.ts';
import { ALAW_SILENCE, ULAW_SILENCE } from './lut.ts';
import type { Prompt } from './prompt-cache.ts';

/** Options of {@link Player.play}. */
export interface PlayOptions {
  /** Play the prompts again and again until {@link Player.stop} (hold music). */
  loop: boolean;
  /** Silence sent between prompts of a sequence and between loop rounds, ms (rounded up to whole frames). */
  gapMs: number;
  /** Stops the playback when aborted (e.g. the caller hung up). */
  signal: AbortSignal | undefined;
}

/** Defaults of {@link PlayOptions}. */
export const PLAY_DEFAULTS: Readonly<PlayOptions> = Object.freeze({ loop: false, gapMs: 0, signal: undefined });

/**
 * Why a playback ended: every frame was played (`completed`), {@link Player.stop} or the signal
 * (`stopped`, barge-in), another playback took the leg (`replaced`), the leg or player closed (`closed`).
 */
export type PlaybackEndReason = 'completed' | 'stopped' | 'replaced' | 'closed';

/** How a playback ended. */
export interface PlaybackResult {
  readonly reason: PlaybackEndReason;
  /** Frames (prompt and gap) handed to the leg, sent or not (hold). */
  readonly frames: number;
  /** Frames the leg actually sent. */
  readonly framesSent: number;
}

/** Events of a {@link Player}. */
export type PlayerEvents = {
  /** A playback started (its first frame goes out on the next tick). */
  start: [];
  /** A playback ended. */
  end: [result: PlaybackResult];
};

/** 60 ms of each law's silence code: the longest gap frame. */
const SILENCE_ULAW = new Uint8Array(480).fill(ULAW_SILENCE);
const SILENCE_ALAW = new Uint8Array(480).fill(ALAW_SILENCE);

/**
 * Plays cached prompts into one leg, paced by the leg's media clock: each tick sends the next
 * frame, stamping only the RTP header (the payload is the prompt's ready G.711 frame in the leg's
 * codec). The first frame of each playback carries the marker bit and a timestamp that jumps by
 * the time elapsed since the leg last sent (the leg keeps the sequence continuous). While playing,
 * the player owns the leg's output: a bridge's forwarded audio to this leg is held back.
 */
export class Player implements Tickable, OutputOwner {
  readonly leg: RtpLeg;
  readonly #events: MediaEmitter<PlayerEvents>;
  #prompts: readonly Prompt[] = [];
  #loop = false;
  #gapFrames = 0;
  #active = false;
  #index = 0;
  #frame = 0;
  #gapLeft = 0;
  #restart = false;
  #frames = 0;
  #framesSent = 0;
  #resolve: ((r: PlaybackResult) => void) | null = null;
  #signal: AbortSignal | undefined;
  #closed = false;

  constructor(leg: RtpLeg, options: { onListenerError?: MediaListenerErrorHandler } = {}) {
    this.leg = leg;
    this.#events = new MediaEmitter<PlayerEvents>(options.onListenerError);
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof PlayerEvents>(event: K, listener: MediaListener<PlayerEvents, K>): () => void {
    return this.#events.on(event, listener);
  }

  /** Whether a playback is running. */
  get playing(): boolean {
    return this.#active;
  }

  /**
   * Starts playing `prompts` in order (replacing a running playback, which ends `replaced`). The
   * first frame goes out on the next clock tick. Resolves when the playback ends, never rejects;
   * on a closed leg or player it resolves `closed` at once.
   *
   * @throws {TypeError} if a prompt's frame is not one clock interval of 8 kHz audio, or the list is empty.
   */
  play(prompts: Prompt | readonly Prompt[], options: Partial<PlayOptions> = {}): Promise<PlaybackResult> {
    const list: readonly Prompt[] = Array.isArray(prompts) ? prompts : [prompts as Prompt];
    if (list.length === 0) throw new TypeError('prompts must not be empty');
    const frameSamples = (this.leg.clock.intervalMs * 8000) / 1000;
    for (const p of list) {
      if (p.frameSamples !== frameSamples) throw new TypeError(`prompt ${p.key} has ${p.frameSamples}-sample frames; the clock ticks every ${frameSamples} samples`);
      if (p.frameSamples > SILENCE_ULAW.length) throw new TypeError(`prompt ${p.key} frames exceed ${SILENCE_ULAW.length} samples`);
    }
    const opts = { ...PLAY_DEFAULTS, ...options };
    if (!(opts.gapMs >= 0)) throw new TypeError('gapMs must be ≥ 0');
    if (this.#active) this.#finish('replaced');
    if (this.#closed || this.leg.closed) return Promise.resolve({ reason: 'closed', frames: 0, framesSent: 0 });
    if (opts.signal?.aborted) return Promise.resolve({ reason: 'stopped', frames: 0, framesSent: 0 });
    this.#prompts = list;
    this.#loop = opts.loop;
    this.#gapFrames = Math.ceil(opts.gapMs / this.leg.clock.intervalMs);
    this.#index = 0;
    this.#frame = 0;
    this.#gapLeft = 0;
    this.#restart = true;
    this.#frames = 0;
    this.#framesSent = 0;
    this.#active = true;
    this.#signal = opts.signal;
    this.#signal?.addEventListener('abort', this.#onAbort);
    const done = new Promise<PlaybackResult>((resolve) => {
      this.#resolve = resolve;
    });
    this.leg.claimOutput(this);
    this.leg.clock.add(this);
    this.#events.emit('start');
    return done;
  }

  /** Stops the running playback (barge-in); it ends `stopped`. No-op when idle. */
  stop(): void {
    if (this.#active) this.#finish('stopped');
  }

  /** Ends a running playback (`closed`) and refuses later ones. Idempotent. */
  close(): void {
    if (this.#active) this.#finish('closed');
    this.#closed = true;
  }

  /** @internal the leg gave its output to another owner, or closed. */
  preempted(reason: 'replaced' | 'closed'): void {
    if (this.#active) this.#finish(reason);
  }

  readonly #onAbort = (): void => this.stop();

  /** One frame per tick: the next prompt frame, or silence in a gap. */
  tick(): void {
    if (!this.#active) return;
    const codec = this.leg.codec;
    let sent = false;
    if (this.#gapLeft > 0) {
      this.#gapLeft--;
      const n = this.#prompts[0].frameSamples;
      if (codec !== null) sent = this.leg.sendAudio(this, this.#restart, codec === 'PCMA' ? SILENCE_ALAW : SILENCE_ULAW, 0, n);
    } else {
      const p = this.#prompts[this.#index];
      const n = p.frameSamples;
      if (codec !== null) sent = this.leg.sendAudio(this, this.#restart, p.payload(codec), this.#frame * n, n);
      if (++this.#frame === p.frames) {
        this.#frame = 0;
        if (++this.#index === this.#prompts.length) {
          this.#index = 0;
          if (!this.#loop) {
            this.#count(sent);
            this.#finish('completed');
            return;
          }
        }
        this.#gapLeft = this.#gapFrames;
      }
    }
    this.#count(sent);
  }

  #count(sent: boolean): void {
    this.#frames++;
    if (sent) {
      this.#framesSent++;
      this.#restart = false;
    }
  }

  #finish(reason: PlaybackEndReason): void {
    this.#active = false;
    this.leg.clock.remove(this);
    this.leg.releaseOutput(this);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    const result: PlaybackResult = { reason, frames: this.#frames, framesSent: this.#framesSent };
    const resolve = this.#resolve;
    this.#resolve = null;
    resolve?.(result);
    this.#events.emit('end', result);
  }
}
