// Benchmark: text-to-speech time to first audio — a cold prompt (engine start, then warm engines: Flite English, eSpeak-NG Mandarin) against a cached one (memory, disk) — the main-thread stall of inline vs worker synthesis, and the 8 kHz post-processing rate (DESIGN.md §4, §7). The resampler alone is measured by the g711 suite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedTts, TtsCache, TtsService, closeEmbeddedTts, toTelephonePcm } from '../../ivr/index.ts';
import { FULL_RATE, QUICK_RATE, measureRate, rate, round } from '../harness.ts';
import type { BenchContext, BenchResult, BenchSuite } from '../harness.ts';

const ENGLISH = [
  'Thank you for calling. Please hold while we connect you.',
  'All of our agents are busy. Please leave a message after the tone.',
  'For sales press one. For support press two. To hear these options again press nine.',
  'Our offices are open from nine in the morning to six in the evening, Monday to Friday.',
  'Your call may be recorded for quality and training purposes.',
  'Please enter your order number, followed by the hash key.',
  'We are sorry, that is not a valid option.',
];
const MANDARIN = ['您好，欢迎致电，请稍候，正在为您转接客服。', '所有客服人员都在忙，请在提示音后留言。', '请输入您的订单号，以井号键结束。'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ms = (name: string, value: number): BenchResult => ({ name, unit: 'ms', value: round(value, 1), higherIsBetter: false });

/**
 * Longest event-loop stall (ms) while `fn` runs — what calls' media and signalling would wait: the largest gap
 * between ticks of a 1 ms interval timer, minus its period.
 */
async function stallDuring(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    clearInterval(timer);
  }
  return Math.max(0, worst - 1);
}

export const suite: BenchSuite = {
  name: 'tts',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'hotline-tts-bench-'));
    const cache = new TtsCache({ dir });
    const tts = new TtsService({ cache });
    const nEn = ctx.quick ? 2 : ENGLISH.length - 1;
    const nZh = ctx.quick ? 1 : MANDARIN.length - 1;
    try {
      // 1. The first prompt of a process: worker start + Flite compile + synthesis + 8 kHz processing.
      let t0 = performance.now();
      await tts.render(ENGLISH[0], { language: 'en' });
      const first = performance.now() - t0;
      ctx.log(`  first prompt of the process (worker + Flite start): ${first.toFixed(0)} ms`);
      results.push(ms('TTS cold prompt, first of the process (worker + Flite start), English', first));

      // 2. Cold prompts with warm engines: distinct sentences, so every one is synthesised.
      const en: number[] = [];
      const audioSec: number[] = [];
      for (const text of ENGLISH.slice(1, 1 + nEn)) {
        t0 = performance.now();
        const pcm = await tts.render(text, { language: 'en' });
        en.push(performance.now() - t0);
        audioSec.push(pcm.length / 8000);
      }
      const enMs = median(en);
      ctx.log(`  cold English prompt: ${enMs.toFixed(0)} ms for ${median(audioSec).toFixed(1)} s of audio (${(median(audioSec) * 1000 / enMs).toFixed(1)}× real time)`);
      results.push(ms('TTS cold prompt, English (Flite slt, engine warm), median', enMs));
      t0 = performance.now();
      await tts.render(MANDARIN[0], { language: 'zh' });
      const zhFirst = performance.now() - t0;
      const zh: number[] = [];
      for (const text of MANDARIN.slice(1, 1 + nZh)) {
        t0 = performance.now();
        await tts.render(text, { language: 'zh' });
        zh.push(performance.now() - t0);
      }
      results.push(ms('TTS cold prompt, first Mandarin (eSpeak-NG load + synthesis)', zhFirst));
      results.push(ms('TTS cold prompt, Mandarin (eSpeak-NG cmn, engine warm), median', median(zh)));

      // 3. Cached prompts: memory hit, and disk hit (memory cleared before each).
      const opts = ctx.quick ? QUICK_RATE : FULL_RATE;
      const text = ENGLISH[1];
      const sel = { language: 'en' };
      const memory = await measureAsync(() => tts.render(text, sel), ctx.quick ? 2000 : 20000);
      ctx.log(`  cached prompt (memory): ${(memory * 1000).toFixed(1)} µs`);
      results.push({ name: 'TTS cached prompt, memory hit', unit: 'µs', value: round(memory * 1000, 2), higherIsBetter: false, baseline: { name: 'cold English prompt (ms → µs)', value: round(enMs * 1000) }, ratio: round((enMs * 1000) / (memory * 1000)) });
      const disk = await measureAsync(() => {
        cache.clearMemory();
        return tts.render(text, sel);
      }, ctx.quick ? 50 : 500);
      ctx.log(`  cached prompt (disk): ${(disk * 1000).toFixed(0)} µs`);
      results.push({ name: 'TTS cached prompt, disk hit (WAV read)', unit: 'µs', value: round(disk * 1000, 1), higherIsBetter: false });

      // 4. Main-thread stall during a cold synthesis: inline engine vs the worker thread.
      const inline = new EmbeddedTts({ mode: 'inline' });
      await inline.synthesize('Warm up.', {}); // compile outside the measurement
      const stallInline = await stallDuring(() => inline.synthesize(ENGLISH[ENGLISH.length - 1], {}));
      const stallWorker = await stallDuring(() => new TtsService({ cache: new TtsCache() }).render(ENGLISH[ENGLISH.length - 1] + ' ', {}));
      ctx.log(`  event-loop stall during a cold synthesis: inline ${stallInline.toFixed(0)} ms, worker ${stallWorker.toFixed(1)} ms`);
      results.push({ name: 'main-thread stall during a cold synthesis, worker', unit: 'ms', value: round(stallWorker, 1), higherIsBetter: false, baseline: { name: 'inline synthesis', value: round(stallInline, 1) }, ratio: round(stallWorker / stallInline, 3) });

      // 5. Post-processing rate: 16 kHz speech (Flite's rate) → 8 kHz, trimmed, normalised.
      const src = new Float32Array(16000 * 3);
      for (let i = 0; i < src.length; i++) src[i] = 0.3 * Math.sin((2 * Math.PI * 180 * i) / 16000) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 4 * i) / 16000));
      const post = measureRate(() => void toTelephonePcm({ pcm: src, sampleRate: 16000 }), src.length, opts);
      ctx.log(`  16k→8k prompt processing: ${(post.median / 16000).toFixed(0)}× real time`);
      results.push(rate('TTS post-processing 16k→8k (resample + trim + level)', 'input samples/s', post));
    } finally {
      await closeEmbeddedTts();
      await rm(dir, { recursive: true, force: true });
    }
    return results;
  },
};

/** Mean milliseconds per call of an async function over `n` sequential calls (after a short warm-up). */
async function measureAsync(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(50, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}
