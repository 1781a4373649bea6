// N-party audio mixer on 20 ms 16-bit PCM frames: everyone hears everyone but themselves, saturated to 16 bits; listen-only and whisper for supervisors.

/** Options of {@link Mixer}. */
export interface MixerOptions {
  /** Samples per frame (160 = 20 ms at 8 kHz). */
  frameSamples: number;
  /** Most parties one mixer accepts. */
  maxParties: number;
}

/** Defaults of {@link MixerOptions}. */
export const MIXER_DEFAULTS: Readonly<MixerOptions> = Object.freeze({ frameSamples: 160, maxParties: 32 });

/** How a party joins. */
export interface PartyOptions {
  /** Heard by nobody (a supervisor listening in); hears everyone. */
  listenOnly?: boolean;
  /** Heard only by this party (a supervisor coaching the agent); hears everyone. */
  whisperTo?: MixerParty | null;
}

/**
 * One participant. Give it a frame with {@link MixerParty.write} before each {@link Mixer.mix}; read what
 * it hears from {@link MixerParty.output} after. A party that wrote nothing is silent for that mix.
 */
export class MixerParty {
  /** Unique within its mixer. */
  readonly id: number;
  /** What this party hears, valid after each mix (overwritten by the next). */
  readonly output: Int16Array;
  /** @internal latest input frame. */
  readonly input: Int16Array;
  /** @internal sum of whispers aimed at this party in the current mix. */
  readonly whispers: Int32Array;
  #listenOnly = false;
  #whisperTo: MixerParty | null = null;
  #mixer: Mixer | null;
  /** @internal an input frame was written since the last mix. */
  fresh = false;
  /** @internal `whispers` holds data for the current mix. */
  whispered = false;

  /** @internal created by Mixer.add. */
  constructor(mixer: Mixer, id: number, frameSamples: number) {
    this.#mixer = mixer;
    this.id = id;
    this.output = new Int16Array(frameSamples);
    this.input = new Int16Array(frameSamples);
    this.whispers = new Int32Array(frameSamples);
  }

  /** Whether the party still belongs to a mixer. */
  get joined(): boolean {
    return this.#mixer !== null;
  }

  /** Heard by nobody. Setting it clears `whisperTo`. */
  get listenOnly(): boolean {
    return this.#listenOnly;
  }

  set listenOnly(v: boolean) {
    this.#listenOnly = v;
    if (v) this.#whisperTo = null;
  }

  /** Heard only by this party, or null. Setting a party clears `listenOnly`. */
  get whisperTo(): MixerParty | null {
    return this.#whisperTo;
  }

  /** @throws {TypeError} if the target is this party or not in the same mixer. */
  set whisperTo(target: MixerParty | null) {
    if (target !== null) {
      if (target === this) throw new TypeError('whisperTo: a party cannot whisper to itself');
      if (target.#mixer === null || target.#mixer !== this.#mixer) throw new TypeError('whisperTo: target is not in this mixer');
      this.#listenOnly = false;
    }
    this.#whisperTo = target;
  }

  /** Heard by everyone else (neither listen-only nor whispering). */
  get isPublic(): boolean {
    return !this.#listenOnly && this.#whisperTo === null;
  }

  /**
   * Sets this party's frame for the next mix (copied; the caller keeps its buffer). A shorter frame is
   * padded with silence, a longer one cut. Writing twice before a mix keeps the latest.
   */
  write(frame: Int16Array): void {
    const n = Math.min(frame.length, this.input.length);
    this.input.set(n === frame.length ? frame : frame.subarray(0, n));
    if (n < this.input.length) this.input.fill(0, n);
    this.fresh = true;
  }

  /** @internal */
  detach(): void {
    this.#mixer = null;
    this.#whisperTo = null;
    this.fresh = false;
  }
}

/**
 * Mixes N parties on shared 20 ms frames: each party hears the sum of every other public party's frame
 * plus any whisper aimed at it, saturated to 16 bits. The public sum is computed once in a
 * preallocated 32-bit accumulator and each party's own frame is subtracted from it, so a mix costs
 * O(N × frame) and allocates nothing.
 */
export class Mixer {
  readonly frameSamples: number;
  readonly maxParties: number;
  readonly #sum: Int32Array;
  #parties: MixerParty[] = [];
  #nextId = 1;

  /** @throws {TypeError} for a non-positive frame size or party limit. */
  constructor(options: Partial<MixerOptions> = {}) {
    const opts = { ...MIXER_DEFAULTS, ...options };
    if (!Number.isInteger(opts.frameSamples) || opts.frameSamples < 1) throw new TypeError('frameSamples must be a positive integer');
    // 32-bit sums of 16-bit samples cannot overflow below 65 536 parties.
    if (!Number.isInteger(opts.maxParties) || opts.maxParties < 1 || opts.maxParties > 65536) throw new TypeError('maxParties must be an integer in 1..65536');
    this.frameSamples = opts.frameSamples;
    this.maxParties = opts.maxParties;
    this.#sum = new Int32Array(opts.frameSamples);
  }

  /** The parties, in joining order. */
  get parties(): readonly MixerParty[] {
    return this.#parties;
  }

  /**
   * Adds a party (allocates its frames once).
   * @throws {RangeError} when the mixer is full; {@link TypeError} for a bad whisper target.
   */
  add(options: PartyOptions = {}): MixerParty {
    if (this.#parties.length >= this.maxParties) throw new RangeError(`mixer is full (${this.maxParties} parties)`);
    const party = new MixerParty(this, this.#nextId++, this.frameSamples);
    this.#parties = [...this.#parties, party];
    if (options.listenOnly) party.listenOnly = true;
    if (options.whisperTo) party.whisperTo = options.whisperTo;
    return party;
  }

  /**
   * Removes a party. Parties that were whispering to it become listen-only, so their voice never
   * reaches the others by accident. Idempotent.
   */
  remove(party: MixerParty): void {
    if (!this.#parties.includes(party)) return;
    this.#parties = this.#parties.filter((p) => p !== party);
    for (const p of this.#parties) if (p.whisperTo === party) p.listenOnly = true;
    party.detach();
  }

  /** Computes every party's output from the frames written since the last mix, then clears the inputs. */
  mix(): void {
    const parties = this.#parties;
    const sum = this.#sum;
    const n = this.frameSamples;
    sum.fill(0);
    for (let k = 0; k < parties.length; k++) {
      const p = parties[k];
      if (!p.fresh) continue;
      const input = p.input;
      if (p.isPublic) {
        for (let i = 0; i < n; i++) sum[i] += input[i];
      } else if (p.whisperTo !== null) {
        const target = p.whisperTo;
        const acc = target.whispers;
        if (target.whispered) for (let i = 0; i < n; i++) acc[i] += input[i];
        else {
          acc.set(input);
          target.whispered = true;
        }
      }
    }
    for (let k = 0; k < parties.length; k++) {
      const p = parties[k];
      const out = p.output;
      const own = p.fresh && p.isPublic ? p.input : null;
      const whispers = p.whispered ? p.whispers : null;
      for (let i = 0; i < n; i++) {
        let v = sum[i];
        if (own !== null) v -= own[i];
        if (whispers !== null) v += whispers[i];
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
    for (let k = 0; k < parties.length; k++) {
      parties[k].fresh = false;
      parties[k].whispered = false;
    }
  }
}
