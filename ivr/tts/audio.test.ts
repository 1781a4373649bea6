// Speech audio to telephone prompts: anti-aliased resampling to 8 kHz (nothing above 4 kHz folds back), silence trimming, level normalisation with a peak limit.
import { describe, expect, it } from 'vitest';
import { LEVEL_DEFAULTS, rmsDbfs, toTelephonePcm } from './audio.ts';

function tone(rate: number, hz: number, seconds: number, amp: number, lead = 0): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(Math.round(rate * lead) * 2 + n);
  const off = Math.round(rate * lead);
  for (let i = 0; i < n; i++) out[off + i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

describe('toTelephonePcm', () => {
  it('a 6 kHz tone at 48 kHz does not alias into the telephone band (it is removed, not folded to 2 kHz)', () => {
    const x = tone(48000, 6000, 0.5, 0.5);
    // 50 ms raised-cosine fades: an abrupt onset is broadband and would (rightly) pass the filter.
    const fade = 2400;
    for (let i = 0; i < fade; i++) {
      const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
      x[i] *= g;
      x[x.length - 1 - i] *= g;
    }
    const out = toTelephonePcm({ pcm: x, sampleRate: 48000 });
    expect(out.length).toBe(4000);
    expect(rmsDbfs(out)).toBeLessThan(-60);
  });

  it('a 1 kHz tone keeps its length and is scaled to the target level', () => {
    const out = toTelephonePcm({ pcm: tone(22050, 1000, 1, 0.02), sampleRate: 22050 });
    expect(out.length).toBe(8000);
    expect(rmsDbfs(out.subarray(400, 7600))).toBeCloseTo(LEVEL_DEFAULTS.targetDbfs, 0);
  });

  it('the peak limit wins over the level target for peaky audio', () => {
    const x = new Float32Array(16000);
    for (let i = 0; i < x.length; i++) x[i] = 0.01 * Math.sin((2 * Math.PI * 500 * i) / 16000);
    for (let i = 8000; i < 8100; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 500 * i) / 16000); // one loud burst
    const out = toTelephonePcm({ pcm: x, sampleRate: 16000 });
    let peak = 0;
    for (const s of out) peak = Math.max(peak, Math.abs(s));
    expect(peak / 32768).toBeLessThanOrEqual(10 ** (-1 / 20) + 1e-4);
    expect(peak / 32768).toBeGreaterThan(10 ** (-1.5 / 20));
  });

  it('trims leading and trailing silence to 60 ms', () => {
    const out = toTelephonePcm({ pcm: tone(16000, 800, 0.5, 0.3, 1), sampleRate: 16000 });
    // 0.5 s of tone + 2 × 60 ms kept (frame-aligned: at most one extra 20 ms frame each side).
    expect(out.length / 8000).toBeGreaterThanOrEqual(0.5 + 0.12 - 0.001);
    expect(out.length / 8000).toBeLessThanOrEqual(0.5 + 0.12 + 0.041);
  });

  it('silence stays silence (no gain applied to noise) and Int16 input works', () => {
    const quiet = new Int16Array(8000).map((_, i) => (i % 2 ? 3 : -3));
    const out = toTelephonePcm({ pcm: quiet, sampleRate: 8000 });
    expect(out.length).toBe(8000);
    expect(Math.max(...out.map(Math.abs))).toBeLessThanOrEqual(3);
  });
});
