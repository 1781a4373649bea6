// Ringback tones generated as 8 kHz PCM prompts, one cadence per country (ITU-T E.180 Supplement 2 "Various tones used in national networks").
import type { PromptSource } from '../../engine/call/types.ts';
import type { ToneCountry } from '../schema/types.ts';

/** A tone plan: component frequencies, and the cadence as alternating on/off durations in ms (one cycle). */
export interface TonePlan {
  frequencies: readonly number[];
  cadenceMs: readonly number[];
  /** Amplitude modulation frequency (Japan's 16 Hz), 0 for none. */
  modulationHz?: number;
}

/**
 * Ringback plans (E.180 Suppl. 2): US 440+480 Hz 2 s on 4 s off; UK 400+450 Hz 0.4/0.2/0.4/2.0 s;
 * CEPT (most of Europe) 425 Hz 1 s on 4 s off; China 450 Hz 1 s on 4 s off; Japan 400 Hz modulated at 16 Hz, 1 s on 2 s off.
 */
export const RINGBACK_PLANS: Readonly<Record<ToneCountry, TonePlan>> = Object.freeze({
  us: { frequencies: [440, 480], cadenceMs: [2000, 4000] },
  uk: { frequencies: [400, 450], cadenceMs: [400, 200, 400, 2000] },
  eu: { frequencies: [425], cadenceMs: [1000, 4000] },
  cn: { frequencies: [450], cadenceMs: [1000, 4000] },
  jp: { frequencies: [400], cadenceMs: [1000, 2000], modulationHz: 16 },
});

/** Peak level of the summed components: −13 dBFS (about −16 dBm0 per component for two), well below clipping. */
const LEVEL = 0.22;

/** One cycle of a tone plan as 8 kHz 16-bit PCM (loop it for continuous ringback). */
export function renderTone(plan: TonePlan, rate = 8000): Int16Array {
  const total = plan.cadenceMs.reduce((a, b) => a + b, 0);
  const out = new Int16Array(Math.round((total * rate) / 1000));
  const amp = (LEVEL * 32767) / plan.frequencies.length;
  let start = 0;
  for (let seg = 0; seg < plan.cadenceMs.length; seg++) {
    const n = Math.round((plan.cadenceMs[seg] * rate) / 1000);
    if (seg % 2 === 0) {
      // 5 ms raised-cosine ramps avoid clicks at the edges of each burst.
      const ramp = Math.min(Math.round(rate * 0.005), n >> 1);
      for (let i = 0; i < n; i++) {
        const t = (start + i) / rate;
        let v = 0;
        for (const f of plan.frequencies) v += Math.sin(2 * Math.PI * f * t);
        if (plan.modulationHz) v *= 0.5 * (1 + Math.sin(2 * Math.PI * plan.modulationHz * t));
        const edge = i < ramp ? i / ramp : i >= n - ramp ? (n - 1 - i) / ramp : 1;
        const g = edge < 1 ? 0.5 - 0.5 * Math.cos(Math.PI * edge) : 1;
        out[start + i] = Math.round(v * amp * g);
      }
    }
    start += n;
  }
  return out;
}

const tonePrompts = new Map<ToneCountry, PromptSource>();

/** The ringback of a country as a prompt (one cadence cycle; shared per process). */
export function ringbackPrompt(country: ToneCountry): PromptSource {
  let p = tonePrompts.get(country);
  if (p === undefined) {
    const plan = RINGBACK_PLANS[country];
    p = Object.freeze({ key: `tone:ringback:${country}`, render: async () => renderTone(plan) });
    tonePrompts.set(country, p);
  }
  return p;
}
