// The call-control surface the rest of the house uses (DESIGN.md §2 engine/call): answer, play, collect, dial,
// bridge, record, hang up. The IVR and the tenant layer speak to calls only through these types.

/** A DTMF key (RFC 4733 events 0–15). */
export type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** Audio to play: 8 kHz mono PCM produced once and cached under `key` (TTS text + voice, file path, tone…). */
export interface PromptSource {
  readonly key: string;
  /** Produces the 8 kHz mono PCM; called at most once per key while cached. */
  render(): Promise<Int16Array>;
}

export interface PlayOptions {
  /** A DTMF key stops playback (the key is reported and kept for a following collect). */
  bargeIn?: boolean;
  /** Repeat until stopped (music on hold). */
  loop?: boolean;
}

export interface PlayOutcome {
  /** 'ended' — played to the end; 'barge-in' — a key stopped it; 'stopped' — stopped by the program; 'hangup'. */
  reason: 'ended' | 'barge-in' | 'stopped' | 'hangup';
  digit?: Digit;
}

export interface CollectOptions {
  minDigits: number;
  maxDigits: number;
  /** Ends input (not included in the result), e.g. '#'. */
  terminator?: Digit;
  /** Time allowed before the first key, ms. */
  firstDigitTimeoutMs: number;
  /** Time allowed between keys, ms. */
  interDigitTimeoutMs: number;
  /** Keys pressed before collect started (during a barge-in prompt) count when true (default true). */
  useBuffered?: boolean;
}

export interface CollectOutcome {
  digits: string;
  reason: 'max-digits' | 'terminator' | 'timeout' | 'hangup';
}

/** Where an outgoing leg goes: a registered phone's flow, a gateway, a SIP trunk. */
export interface DialTarget {
  /** Request-URI. */
  uri: string;
  /** Transport address to send the INVITE to. */
  dest: { transport: 'udp' | 'tcp'; address: string; port: number };
  /** Shown in logs and CDRs (agent id, extension…). */
  label?: string;
  /** Digest credentials when the target challenges (a trunk). */
  credentials?: { username: string; password?: string; ha1?: string };
}

export interface RecordSpec {
  /** Absolute WAV path (stereo 8 kHz: caller left, the other party right). */
  path: string;
}

export interface DialOptions {
  /** Tried together (ring-all); the first to answer wins, the others are cancelled. */
  targets: DialTarget[];
  /** Give up after this long without an answer, ms. */
  timeoutMs: number;
  /** The caller ID presented to the called party: a bare number (`+15550001`) or a name-addr. */
  from: string;
  /** Played to the caller while the targets ring (instead of silence). */
  music?: PromptSource;
  /** Record the bridged conversation from the moment of answer. */
  record?: RecordSpec;
  /** Extra SIP headers on the INVITE (e.g. X-Hotline-Call). */
  headers?: Array<[string, string]>;
}

export type DialOutcome =
  | { outcome: 'answered'; target: DialTarget; leg: LegInfo }
  | { outcome: 'no-answer' | 'busy' | 'failed' | 'hangup'; status?: number };

/** What the call layer tells about one leg (for CDRs). */
export interface LegInfo {
  id: string;
  role: 'caller' | 'callee';
  uri: string;
  label?: string;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  endReason?: string;
  codec?: string;
  quality?: { packets: number; lossPercent: number; jitterMs: number; rttMs?: number; mos: number };
}

export interface RecordingOutcome {
  path: string;
  durationMs: number;
  channels: 1 | 2;
}

export interface VoicemailOptions {
  path: string;
  maxMs: number;
  /** Play a beep first. */
  beep: boolean;
  /** Stop after this much silence, ms (0 = never). */
  endOnSilenceMs: number;
  /** Stop on '#'. */
  endOnHash: boolean;
}

export interface CallInfo {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The caller's number (From user or P-Asserted-Identity). */
  caller: string;
  /** The called number (user part of the called identity). */
  called: string;
  /** `number@domain` as the gateway sent it. */
  calledIdentity: string;
  startedAt: number;
}

/**
 * One call as seen by a flow: the caller's leg plus whatever it gets bridged to. Every method rejects with
 * `CallEndedError` (code 'hangup') once the caller has hung up; `signal` aborts at that moment too.
 */
export interface CallControl {
  readonly info: CallInfo;
  readonly signal: AbortSignal;
  /** Answers the caller (200 + SDP, media anchored on our RTP port). Idempotent. */
  answer(): Promise<void>;
  play(prompt: PromptSource, opts?: PlayOptions): Promise<PlayOutcome>;
  collect(opts: CollectOptions): Promise<CollectOutcome>;
  /** Rings the targets; on answer bridges the caller with the answering leg (and records when asked). */
  dial(opts: DialOptions): Promise<DialOutcome>;
  /** After a successful dial: resolves when either side hangs up. */
  waitForEnd(): Promise<{ endedBy: 'caller' | 'callee' | 'system' }>;
  /** Records the caller alone (voicemail). */
  voicemail(opts: VoicemailOptions): Promise<RecordingOutcome>;
  hangup(reason?: string): Promise<void>;
  /** Keys as they arrive (also delivered to collect). */
  onDigit(listener: (d: Digit) => void): () => void;
}

export class CallEndedError extends Error {
  readonly code = 'hangup';
  constructor(message = 'the caller hung up') {
    super(message);
    this.name = 'CallEndedError';
  }
}
