// What a simulated phone hears: decodes received G.711 (RFC 3551 §4.5.14), measures speech energy and probe tones per 20 ms frame (Goertzel), in labelled time segments, and hands frames to a recorder.
import type { PayloadKind, RtpLeg, RtpSink } from '../engine/media/index.ts';
import { ALAW_TO_PCM, ULAW_TO_PCM } from '../engine/media/lut.ts';

/** Frame size analysed: 20 ms at 8 kHz. */
const FRAME = 160;

/** What was heard during one segment of a call (e.g. `ivr` until the agent answered, then `bridged`). */
export interface HearingSegment {
  label: string;
  /** Segment start, ms on the media clock. */
  startMs: number;
  /** 20 ms frames received. */
  frames: number;
  /** Frames with speech-level energy (RMS ≥ the voiced threshold). */
  voicedFrames: number;
  /** When the first voiced frame arrived, ms on the media clock. */
  firstVoicedMs: number | null;
  /** Per probe frequency (Hz): frames where that tone carried most of the energy. */
  toneFrames: Record<string, number>;
  /** Mean RMS of the voiced frames (0 when none). */
  meanVoicedRms: number;
}

/** Options of {@link Ear}. */
export interface EarOptions {
  /** Frequencies (Hz) to detect, e.g. the other side's test tone. */
  probes: readonly number[];
  /** RMS (16-bit linear) at or above which a frame counts as voiced; ≈ −50 dBFS by default. */
  voicedRms: number;
  /** Share of a frame's energy a probe tone must carry to count (0..1). */
  toneRatio: number;
  /** Receives each decoded 20 ms frame (a recorder's left channel). */
  onFrame: ((pcm: Int16Array) => void) | undefined;
}

/** Defaults of {@link EarOptions}. */
export const EAR_DEFAULTS: Readonly<EarOptions> = Object.freeze({ probes: Object.freeze([]), voicedRms: 100, toneRatio: 0.6, onFrame: undefined });

interface Probe {
  readonly hz: number;
  readonly coeff: number;
}

/**
 * Listens on a leg as its sink: every accepted audio packet is decoded (μ-law or A-law) into a
 * preallocated frame and analysed; telephone-events are left to the leg's digit stream. Segments
 * start with {@link mark}; {@link segments} reports them.
 */
export class Ear implements RtpSink {
  readonly #opts: EarOptions;
  readonly #probes: Probe[];
  readonly #frame: Int16Array;
  #fill = 0;
  readonly #segments: HearingSegment[] = [];
  #current: HearingSegment;
  #voicedRmsSum = 0;
  readonly #clockNow: () => number;
  /** Audio packets received. */
  packets = 0;

  constructor(clockNow: () => number, options: Partial<EarOptions> = {}) {
    this.#opts = { ...EAR_DEFAULTS, ...options };
    this.#clockNow = clockNow;
    this.#probes = this.#opts.probes.map((hz) => ({ hz, coeff: 2 * Math.cos((2 * Math.PI * hz) / 8000) }));
    this.#frame = new Int16Array(FRAME);
    this.#current = this.#newSegment('call');
  }

  #newSegment(label: string): HearingSegment {
    const toneFrames: Record<string, number> = {};
    for (const p of this.#probes) toneFrames[String(p.hz)] = 0;
    const s: HearingSegment = { label, startMs: this.#clockNow(), frames: 0, voicedFrames: 0, firstVoicedMs: null, toneFrames, meanVoicedRms: 0 };
    this.#segments.push(s);
    this.#voicedRmsSum = 0;
    return s;
  }

  /**
   * Starts a new segment (e.g. `answered`, `bridged` when the agent answers, `hold`). The first segment
   * (`call`, before any mark) is relabelled instead when nothing was heard in it yet.
   */
  mark(label: string): void {
    if (this.#segments.length === 1 && this.#current.label === 'call' && this.#current.frames === 0) {
      this.#current.label = label;
      this.#current.startMs = this.#clockNow();
      return;
    }
    // A partial frame belongs to the segment that ends: drop it rather than mix two segments.
    this.#fill = 0;
    this.#current = this.#newSegment(label);
  }

  /** The segments so far (live objects; copy to keep). */
  get segments(): readonly HearingSegment[] {
    return this.#segments;
  }

  /** The segment named `label` (the last one of that name), if any. */
  segment(label: string): HearingSegment | undefined {
    for (let i = this.#segments.length - 1; i >= 0; i--) if (this.#segments[i].label === label) return this.#segments[i];
    return undefined;
  }

  /** Totals over all segments. */
  total(): HearingSegment {
    const t: HearingSegment = { label: 'total', startMs: this.#segments[0].startMs, frames: 0, voicedFrames: 0, firstVoicedMs: null, toneFrames: {}, meanVoicedRms: 0 };
    let rms = 0;
    for (const s of this.#segments) {
      t.frames += s.frames;
      t.voicedFrames += s.voicedFrames;
      rms += s.meanVoicedRms * s.voicedFrames;
      if (t.firstVoicedMs === null && s.firstVoicedMs !== null) t.firstVoicedMs = s.firstVoicedMs;
      for (const [k, v] of Object.entries(s.toneFrames)) t.toneFrames[k] = (t.toneFrames[k] ?? 0) + v;
    }
    t.meanVoicedRms = t.voicedFrames > 0 ? rms / t.voicedFrames : 0;
    return t;
  }

  onRtp(_from: RtpLeg, buf: Buffer, _len: number, start: number, end: number, kind: PayloadKind): void {
    if (kind === 'event' || end <= start) return;
    this.packets++;
    // Decode by table straight into the 20 ms frame, whatever the peer's ptime (nothing allocated).
    const table = kind === 'PCMU' ? ULAW_TO_PCM : ALAW_TO_PCM;
    const frame = this.#frame;
    for (let i = start; i < end; i++) {
      frame[this.#fill++] = table[buf[i]];
      if (this.#fill === FRAME) {
        this.#fill = 0;
        this.#analyse(frame);
      }
    }
  }

  #analyse(f: Int16Array): void {
    const seg = this.#current;
    seg.frames++;
    let energy = 0;
    for (let i = 0; i < FRAME; i++) energy += f[i] * f[i];
    const rms = Math.sqrt(energy / FRAME);
    if (rms >= this.#opts.voicedRms) {
      seg.voicedFrames++;
      this.#voicedRmsSum += rms;
      seg.meanVoicedRms = this.#voicedRmsSum / seg.voicedFrames;
      if (seg.firstVoicedMs === null) seg.firstVoicedMs = this.#clockNow();
      for (const p of this.#probes) {
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < FRAME; i++) {
          const s0 = f[i] + p.coeff * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        const power = s1 * s1 + s2 * s2 - p.coeff * s1 * s2;
        // A sine of amplitude A gives power ≈ (A·N/2)² and energy N·A²/2: power / (energy·N/2) ≈ 1.
        if (power / ((energy * FRAME) / 2) >= this.#opts.toneRatio) seg.toneFrames[String(p.hz)]++;
      }
    }
    this.#opts.onFrame?.(f);
  }

  legClosed(): void {}
}

/**
 * Whether `seg` shows the probe tone `hz` in at least `minFrames` frames (≥ 200 ms by default).
 */
export function heardTone(seg: HearingSegment | undefined, hz: number, minFrames = 10): boolean {
  return seg !== undefined && (seg.toneFrames[String(hz)] ?? 0) >= minFrames;
}

/** Whether `seg` holds at least `minFrames` voiced frames (≥ 200 ms of non-silent audio by default). */
export function heardVoice(seg: HearingSegment | undefined, minFrames = 10): boolean {
  return seg !== undefined && seg.voicedFrames >= minFrames;
}
