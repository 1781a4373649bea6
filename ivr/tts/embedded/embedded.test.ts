// The embedded TTS engines for real: English with Flite (WASI) and Mandarin with eSpeak-NG (emscripten) → 8 kHz prompts with plausible duration and energy; voice mapping; the shared worker thread (DESIGN.md §7).
import { afterAll, describe, expect, it } from 'vitest';
import { TtsError } from '../../errors.ts';
import { rmsDbfs } from '../audio.ts';
import { TtsCache } from '../cache.ts';
import { TtsService } from '../service.ts';
import { EmbeddedTts, closeEmbeddedTts, embeddedThreadRunning, embeddedVoice, sharedEmbeddedTts } from './embedded.ts';

afterAll(async () => {
  await closeEmbeddedTts();
});

/** Energy in 20 ms frames: the share of frames above −40 dBFS (speech, not silence). */
function voicedShare(pcm: Int16Array): number {
  let voiced = 0;
  const frames = Math.floor(pcm.length / 160);
  for (let f = 0; f < frames; f++) if (rmsDbfs(pcm.subarray(f * 160, (f + 1) * 160)) > -40) voiced++;
  return voiced / frames;
}

/** Zero crossings per second: a rough pitch/brightness check that this is not a tone or noise. */
function zeroCrossingRate(pcm: Int16Array): number {
  let z = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1] < 0 !== pcm[i] < 0) z++;
  return (z * 8000) / pcm.length;
}

describe('embedded speech (real engines in the shared worker)', () => {
  const tts = new TtsService({ cache: new TtsCache() });

  it('speaks an English sentence with Flite: 8 kHz PCM, 1–6 s, active speech near −20 dBFS, peaks under −1 dBFS', async () => {
    const pcm = await tts.render('Thank you for calling. Please hold while we connect you.', { language: 'en-US' });
    const seconds = pcm.length / 8000;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(6);
    expect(voicedShare(pcm)).toBeGreaterThan(0.4);
    expect(rmsDbfs(pcm)).toBeGreaterThan(-30);
    let peak = 0;
    for (const s of pcm) peak = Math.max(peak, Math.abs(s));
    expect(peak).toBeLessThanOrEqual(Math.ceil(32768 * 10 ** (-1 / 20)));
    expect(peak).toBeGreaterThan(3000);
    const zcr = zeroCrossingRate(pcm);
    expect(zcr).toBeGreaterThan(200);
    expect(zcr).toBeLessThan(3500);
    expect(embeddedThreadRunning()).toBe(true);
  });

  it('speaks a Mandarin sentence with eSpeak-NG (cmn): 8 kHz PCM, 0.5–10 s, non-silent', async () => {
    const pcm = await tts.render('您好，欢迎致电，请稍候，正在为您转接客服。', { language: 'zh-CN' });
    const seconds = pcm.length / 8000;
    expect(seconds).toBeGreaterThan(0.5);
    expect(seconds).toBeLessThan(10);
    expect(voicedShare(pcm)).toBeGreaterThan(0.4);
    expect(rmsDbfs(pcm)).toBeGreaterThan(-30);
  });

  it('longer text gives longer audio (the engine reads the text, not a fixed clip)', async () => {
    const short = await tts.render('Hello.', {});
    const long = await tts.render('Hello. Our offices are open from nine in the morning to six in the evening, Monday to Friday.', {});
    expect(long.length).toBeGreaterThan(short.length * 3);
  });

  it('an unknown eSpeak voice fails with bad-request (no fallback from the embedded engine itself)', async () => {
    await expect(sharedEmbeddedTts().synthesize('x', { voice: 'espeak:no-such-voice' })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('empty text is refused with bad-request', async () => {
    const err = await sharedEmbeddedTts().synthesize('   ', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect((err as TtsError).code).toBe('bad-request');
  });

  it('inline mode synthesises on the calling thread', async () => {
    const r = await new EmbeddedTts({ mode: 'inline', englishVoice: 'kal' }).synthesize('Goodbye.', {});
    expect(r.sampleRate).toBe(8000); // kal is Flite's 8 kHz diphone voice
    expect(r.pcm.length).toBeGreaterThan(2000);
  });

  it('closing the shared thread fails nothing later: the next request starts a new one', async () => {
    await closeEmbeddedTts();
    expect(embeddedThreadRunning()).toBe(false);
    const r = await sharedEmbeddedTts().synthesize('Again.', { voice: 'kal' });
    expect(r.pcm.length).toBeGreaterThan(1000);
  });
});

describe('embedded voice selection', () => {
  it.each([
    [{}, 'flite', 'slt'],
    [{ language: 'en' }, 'flite', 'slt'],
    [{ language: 'en-GB' }, 'flite', 'slt'],
    [{ language: 'zh' }, 'espeak', 'cmn'],
    [{ language: 'zh-CN' }, 'espeak', 'cmn'],
    [{ language: 'cmn' }, 'espeak', 'cmn'],
    [{ language: 'zh-HK' }, 'espeak', 'yue'],
    [{ language: 'fr' }, 'espeak', 'fr'],
    [{ voice: 'kal' }, 'flite', 'kal'],
    [{ voice: 'flite:awb', language: 'zh' }, 'flite', 'awb'],
    [{ voice: 'espeak:en-us' }, 'espeak', 'en-us'],
    [{ voice: 'sit/yue' }, 'espeak', 'sit/yue'],
  ])('%j → %s:%s', (sel, engine, voice) => {
    expect(embeddedVoice(sel)).toEqual({ engine, voice });
  });
});
