// DTMF digits and events shared by RFC 4733 and in-band detection, and the DigitStream that merges both without double reports (RFC 4733 §3.2 event codes).

/** A DTMF key (RFC 4733 §3.2 events 0–15) or hook flash (event 16). */
export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D' | 'flash';

/** Digits indexed by RFC 4733 event code (0–16). */
export const DTMF_DIGITS: readonly DtmfDigit[] = Object.freeze([
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D', 'flash',
] as const);

/** Highest event code that maps to a digit (16 = flash). */
export const MAX_DIGIT_EVENT = 16;

/** The digit of an RFC 4733 event code, or null for codes outside 0–16. */
export function eventToDigit(event: number): DtmfDigit | null {
  return event >= 0 && event <= MAX_DIGIT_EVENT && Number.isInteger(event) ? DTMF_DIGITS[event] : null;
}

/**
 * The RFC 4733 event code of a digit.
 * @throws TypeError when `digit` is not a DTMF digit.
 */
export function digitToEvent(digit: DtmfDigit): number {
  const i = DTMF_DIGITS.indexOf(digit);
  if (i < 0) throw new TypeError(`digit must be one of 0-9 * # A-D flash, got ${JSON.stringify(digit)}`);
  return i;
}

/** True for a string that is a {@link DtmfDigit}. */
export function isDtmfDigit(s: string): s is DtmfDigit {
  return (DTMF_DIGITS as readonly string[]).includes(s);
}

/** Where a digit was detected. */
export type DigitSource = 'rfc4733' | 'inband';

/** One key press. */
export interface DigitEvent {
  digit: DtmfDigit;
  /** How long the key was held, in ms. */
  durationMs: number;
  source: DigitSource;
  /** When the press began, in ms on the clock the detector was fed with. */
  startMs: number;
}

/** Options of {@link DigitStream}. */
export interface DigitStreamOptions {
  /**
   * Two reports of the same digit from different sources are one key press when their
   * intervals [startMs, startMs + durationMs] overlap or their starts are at most this far apart.
   */
  matchWindowMs?: number;
}

/** Frozen defaults for {@link DigitStreamOptions}. */
export const DIGIT_STREAM_DEFAULTS: Readonly<Required<DigitStreamOptions>> = Object.freeze({ matchWindowMs: 120 });

/** How many recent reports are remembered for matching. */
const RECENT = 8;

/**
 * Merges RFC 4733 and in-band digit events of one leg into a single stream. Gateways sometimes
 * send a key press both as telephone-events and as tones in the audio; the second report of the
 * same press (same digit, overlapping in time, other source) is suppressed. Presses from one
 * source are never merged with each other, so "1 1" typed quickly stays two digits.
 */
export class DigitStream {
  /** Reports suppressed as duplicates of the other source. */
  suppressed = 0;
  private readonly onDigit: (e: DigitEvent) => void;
  private readonly window: number;
  private readonly recent: { e: DigitEvent; matched: boolean }[] = [];

  constructor(onDigit: (e: DigitEvent) => void, options: DigitStreamOptions = {}) {
    this.onDigit = onDigit;
    this.window = options.matchWindowMs ?? DIGIT_STREAM_DEFAULTS.matchWindowMs;
  }

  /** Feeds one report from either detector; emits it unless it repeats a press the other source already reported. */
  push(e: DigitEvent): void {
    for (const r of this.recent) {
      if (r.matched || r.e.source === e.source || r.e.digit !== e.digit) continue;
      if (this.samePress(r.e, e)) {
        r.matched = true;
        this.suppressed++;
        return;
      }
    }
    this.recent.push({ e, matched: false });
    if (this.recent.length > RECENT) this.recent.shift();
    this.onDigit(e);
  }

  private samePress(a: DigitEvent, b: DigitEvent): boolean {
    const aEnd = a.startMs + a.durationMs;
    const bEnd = b.startMs + b.durationMs;
    const overlap = a.startMs <= bEnd && b.startMs <= aEnd;
    return overlap || Math.abs(a.startMs - b.startMs) <= this.window;
  }
}
