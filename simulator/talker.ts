// What a simulated phone sends: its audio paced one 20 ms frame per media-clock tick, and key presses as RFC 4733 telephone-events (§2.5.1, with the audio paused while a tone is reported) or as in-band tone pairs.
import type { MediaClock, Prompt, RtpLeg, Tickable } from '../engine/media/index.ts';
import { ALAW_TO_PCM, ULAW_TO_PCM } from '../engine/media/lut.ts';
import type { DtmfDigit } from '../engine/rtp/digits.ts';
import { isDtmfDigit } from '../engine/rtp/digits.ts';
import type { DtmfSenderOptions } from '../engine/rtp/dtmf.ts';
import { DtmfSender, TELEPHONE_EVENT_SIZE, writeTelephoneEvent } from '../engine/rtp/dtmf.ts';
import { RTP_HEADER_SIZE, writeRtpHeader } from '../engine/rtp/packet.ts';
import { encodePrompt } from '../engine/media/index.ts';
import { dtmfPcm } from './audio.ts';
import { SimulatorError } from './errors.ts';

/** How key presses are sent: RFC 4733 telephone-events, or DTMF tones inside the audio. */
export type DtmfMode = 'rfc4733' | 'inband';

/** Options of {@link Talker.sendDigits}. */
export interface SendDigitsOptions {
  /** `rfc4733` falls back to `inband` when the call negotiated no telephone-event. Default `rfc4733`. */
  mode: DtmfMode;
  /** Tone length per key, ms. Default 100. */
  durationMs: number;
  /** Pause between keys, ms. Default 100. */
  gapMs: number;
}

/** Defaults of {@link SendDigitsOptions}. */
export const SEND_DIGITS_DEFAULTS: Readonly<SendDigitsOptions> = Object.freeze({ mode: 'rfc4733', durationMs: 100, gapMs: 100 });

/** Options of {@link Talker}. */
export interface TalkerOptions {
  /** Receives each 20 ms frame as sent, decoded (a recorder's right channel). */
  onFrame: ((pcm: Int16Array) => void) | undefined;
  /** Tuning of the RFC 4733 sender (its gap and durations are overridden per request). */
  dtmf: DtmfSenderOptions;
}

const EVENT_RING = 8;

interface InbandPress {
  prompt: Prompt;
  gapFrames: number;
}

/**
 * Drives one leg's output on the media clock (it never claims the leg's output, so no player or bridge
 * is involved): per tick either the next RFC 4733 packet(s) of a key press, the next in-band DTMF
 * frame, or the next frame of the current audio (looped). Telephone-events go out through
 * {@link RtpLeg.forward} from their own source, so the leg keeps one continuous sequence and the
 * event's first packet carries the marker bit (RFC 4733 §2.5.1.2); audio resumes as a new talkspurt.
 */
export class Talker implements Tickable {
  readonly leg: RtpLeg;
  readonly #clock: MediaClock;
  readonly #opts: TalkerOptions;
  #prompt: Prompt | null = null;
  #loop = true;
  #frame = 0;
  #running = false;
  // RFC 4733.
  #sender: DtmfSender;
  readonly #eventSource = {};
  /** A ring of packet buffers: a send may still be queued in the socket when the next packet is built. */
  readonly #eventRing = Array.from({ length: EVENT_RING }, () => Buffer.alloc(RTP_HEADER_SIZE + TELEPHONE_EVENT_SIZE));
  #eventIdx = 0;
  #eventSeq = 0;
  /** Our own timeline for event timestamps (samples); the leg shifts it into the stream's. */
  #timeline = 0;
  // In-band.
  readonly #inband: InbandPress[] = [];
  #inbandFrame = 0;
  #inbandGap = 0;
  readonly #waiters: Array<() => void> = [];
  readonly #decoded = new Int16Array(160);
  /** Keys sent so far, in order. */
  digitsSent = '';
  /** Audio frames handed to the leg. */
  framesSent = 0;

  constructor(leg: RtpLeg, options: Partial<TalkerOptions> = {}) {
    this.leg = leg;
    this.#clock = leg.clock;
    this.#opts = { onFrame: undefined, dtmf: {}, ...options };
    if (this.#clock.intervalMs !== 20) throw new TypeError('Talker needs a 20 ms media clock');
    this.#sender = new DtmfSender({ ...this.#opts.dtmf, ptimeMs: 20 });
  }

  /** Starts sending on the clock (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#clock.add(this);
  }

  /** Stops sending and releases digit waiters (idempotent). */
  stop(): void {
    this.#running = false;
    this.#clock.remove(this);
    this.#inband.length = 0;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Sends `prompt` from its start (looped unless `loop` is false); null sends nothing. */
  say(prompt: Prompt | null, loop = true): void {
    if (prompt !== null && prompt.frameSamples !== 160) throw new TypeError('prompts must have 160-sample frames');
    this.#prompt = prompt;
    this.#loop = loop;
    this.#frame = 0;
  }

  /** Whether audio is being sent (a prompt is set and not finished). */
  get speaking(): boolean {
    return this.#prompt !== null;
  }

  /**
   * Queues key presses; resolves once every key was sent (or the talker stopped).
   * @throws {SimulatorError} `bad-audio` for a character that is not a DTMF key.
   */
  sendDigits(digits: string, options: Partial<SendDigitsOptions> = {}): Promise<void> {
    const o: SendDigitsOptions = {
      mode: options.mode ?? SEND_DIGITS_DEFAULTS.mode,
      durationMs: options.durationMs ?? SEND_DIGITS_DEFAULTS.durationMs,
      gapMs: options.gapMs ?? SEND_DIGITS_DEFAULTS.gapMs,
    };
    const keys: DtmfDigit[] = [];
    for (const ch of digits.toUpperCase()) {
      if (!isDtmfDigit(ch) || ch === 'flash') throw new SimulatorError('bad-audio', `"${ch}" is not a DTMF key`);
      keys.push(ch);
    }
    if (keys.length === 0) return Promise.resolve();
    const rfc = o.mode === 'rfc4733' && this.leg.sendEventPayloadType >= 0;
    if (rfc) {
      // One sender per request so that its gap follows the request; queued keys of a running request finish first.
      if (this.#sender.state === 'idle' && this.#sender.pending === 0) {
        this.#sender = new DtmfSender({ ...this.#opts.dtmf, ptimeMs: 20, gapMs: o.gapMs, minDurationMs: Math.min(40, o.durationMs) });
      }
      for (const k of keys) this.#sender.startDigit(k, o.durationMs);
    } else {
      const gapFrames = Math.ceil(o.gapMs / 20);
      for (const k of keys) this.#inband.push({ prompt: encodePrompt(`dtmf:${k}:${o.durationMs}`, dtmfPcm(k, o.durationMs)), gapFrames });
    }
    this.digitsSent += keys.join('');
    this.start();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** One 20 ms slot. */
  tick(): void {
    const leg = this.leg;
    if (leg.closed) return;
    const codec = leg.codec;
    if (codec === null) return;
    this.#timeline = (this.#timeline + 160) >>> 0;
    // 1. RFC 4733: the event packets of this slot; the audio pauses while a tone is reported.
    const sender = this.#sender;
    if (sender.state !== 'idle' || sender.pending > 0) {
      const pkts = sender.tick(this.#timeline);
      const pt = leg.sendEventPayloadType;
      for (const p of pkts) {
        if (pt < 0) break;
        const buf = this.#eventRing[this.#eventIdx];
        this.#eventIdx = (this.#eventIdx + 1) % EVENT_RING;
        writeRtpHeader(buf, 0, pt, this.#eventSeq, p.timestamp, leg.ssrc, p.marker);
        writeTelephoneEvent(buf, RTP_HEADER_SIZE, p.event, p.end, p.volume, p.duration);
        this.#eventSeq = (this.#eventSeq + 1) & 0xffff;
        leg.forward(this.#eventSource, false, buf, buf.length, pt, 0);
      }
      if (pkts.length > 0 || sender.sendingTone) return;
    }
    // 2. In-band tones replace the audio while they last.
    const press = this.#inband[0];
    if (press !== undefined) {
      if (this.#inbandFrame < press.prompt.frames) {
        this.#sendFrame(press.prompt.payload(codec), this.#inbandFrame * 160, codec);
        this.#inbandFrame++;
        return;
      }
      if (this.#inbandGap < press.gapFrames) {
        this.#inbandGap++;
      } else {
        this.#inband.shift();
        this.#inbandFrame = 0;
        this.#inbandGap = 0;
      }
    }
    this.#settleWaiters();
    // 3. The audio.
    const p = this.#prompt;
    if (p === null) return;
    this.#sendFrame(p.payload(codec), this.#frame * 160, codec);
    if (++this.#frame >= p.frames) {
      this.#frame = 0;
      if (!this.#loop) this.#prompt = null;
    }
  }

  #sendFrame(payload: Uint8Array, offset: number, codec: 'PCMU' | 'PCMA'): void {
    if (this.leg.sendAudio(this, false, payload, offset, 160)) this.framesSent++;
    const onFrame = this.#opts.onFrame;
    if (onFrame !== undefined) {
      const table = codec === 'PCMU' ? ULAW_TO_PCM : ALAW_TO_PCM;
      const out = this.#decoded;
      for (let i = 0; i < 160; i++) out[i] = table[payload[offset + i]];
      onFrame(out);
    }
  }

  #settleWaiters(): void {
    if (this.#waiters.length === 0) return;
    const s = this.#sender;
    const rfcBusy = s.state === 'sending' || s.state === 'ending' || s.pending > 0;
    if (!rfcBusy && this.#inband.length === 0) for (const w of this.#waiters.splice(0)) w();
  }
}
