// Prompts from tones and files: ringback cadences (ITU-T E.180 Suppl. 2), WAV files of any rate/channels to 8 kHz mono, tenant audio names kept inside their directory.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeWav } from '../../engine/codec/wav.ts';
import { TtsCache } from '../tts/cache.ts';
import { TtsService } from '../tts/service.ts';
import type { SynthesisResult, TtsProvider } from '../tts/types.ts';
import { audioPath, downmix, filePrompt, wavTo8k } from './file-prompt.ts';
import { promptFactory } from './prompts.ts';
import { RINGBACK_PLANS, renderTone, ringbackPrompt } from './tones.ts';

/** Goertzel power of one frequency over a block (relative). */
function power(x: Int16Array, hz: number, rate = 8000): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (x.length * x.length);
}

describe('ringback tones', () => {
  it('US ringback: 2 s of 440+480 Hz then 4 s of silence', () => {
    const pcm = renderTone(RINGBACK_PLANS.us);
    expect(pcm.length).toBe(6 * 8000);
    const on = pcm.subarray(800, 8800);
    expect(power(on, 440)).toBeGreaterThan(100 * power(on, 1000));
    expect(power(on, 480)).toBeGreaterThan(100 * power(on, 1000));
    expect(Math.max(...pcm.subarray(16_100).map(Math.abs))).toBe(0);
  });

  it('UK ringback has the double ring: 0.4 on, 0.2 off, 0.4 on, 2 off', () => {
    const pcm = renderTone(RINGBACK_PLANS.uk);
    expect(pcm.length).toBe(3 * 8000);
    const energy = (a: number, b: number): number => pcm.subarray(a * 8, b * 8).reduce((s, v) => s + Math.abs(v), 0);
    expect(energy(50, 350)).toBeGreaterThan(0);
    expect(energy(410, 590)).toBe(0);
    expect(energy(650, 950)).toBeGreaterThan(0);
    expect(energy(1010, 2990)).toBe(0);
  });

  it('China: 450 Hz, 1 s on 4 s off; peaks well below clipping; one shared prompt per country', async () => {
    const pcm = await ringbackPrompt('cn').render();
    expect(pcm.length).toBe(40_000);
    expect(power(pcm.subarray(0, 8000), 450)).toBeGreaterThan(100 * power(pcm.subarray(0, 8000), 900));
    expect(Math.max(...pcm.map(Math.abs))).toBeLessThan(0.25 * 32768);
    expect(ringbackPrompt('cn')).toBe(ringbackPrompt('cn'));
    expect(ringbackPrompt('cn').key).toBe('tone:ringback:cn');
  });
});

describe('file prompts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotline-audio-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a 44.1 kHz stereo WAV becomes 8 kHz mono of the same duration', async () => {
    const frames = 44100;
    const data = new Int16Array(frames * 2);
    for (let i = 0; i < frames; i++) {
      data[2 * i] = Math.round(10000 * Math.sin((2 * Math.PI * 700 * i) / 44100));
      data[2 * i + 1] = data[2 * i];
    }
    await writeFile(join(dir, 'hold.wav'), writeWav({ sampleRate: 44100, channels: 2, data }));
    const pcm = await filePrompt(join(dir, 'hold.wav')).render();
    expect(pcm.length).toBe(8000);
    expect(power(pcm.subarray(1000, 7000), 700)).toBeGreaterThan(1000 * power(pcm.subarray(1000, 7000), 2100));
  });

  it('an 8 kHz mono file passes through untouched; downmix averages channels', () => {
    const data = Int16Array.from([1, -2, 3, 4]);
    expect(Array.from(wavTo8k(writeWav({ sampleRate: 8000, channels: 1, data })))).toEqual([1, -2, 3, 4]);
    expect(Array.from(downmix(Int16Array.from([100, 300, -5, -7]), 2))).toEqual([200, -6]);
  });

  it('the key changes when the file is replaced (size/mtime), so the media cache encodes it again', async () => {
    const f = join(dir, 'a.wav');
    await writeFile(f, writeWav({ sampleRate: 8000, channels: 1, data: new Int16Array(10) }));
    const k1 = filePrompt(f).key;
    await writeFile(f, writeWav({ sampleRate: 8000, channels: 1, data: new Int16Array(20) }));
    await utimes(f, new Date(), new Date(Date.now() + 5000));
    expect(filePrompt(f).key).not.toBe(k1);
    expect(filePrompt(f).key.startsWith(`file:${f}#`)).toBe(true);
  });

  it('tenant audio names stay inside the audio directory', () => {
    expect(audioPath('/srv/audio/t1', 'menu/welcome.wav')).toBe('/srv/audio/t1/menu/welcome.wav');
    expect(() => audioPath('/srv/audio/t1', '../t2/secret.wav')).toThrow(TypeError);
    expect(() => audioPath('/srv/audio/t1', '/etc/passwd')).toThrow(TypeError);
  });

  it('promptFactory: speech through the tenant TtsService, files from its directory; a refused name fails to render', async () => {
    const provider: TtsProvider = {
      id: 'fake',
      voiceFor: () => 'v',
      synthesize: async (): Promise<SynthesisResult> => ({ pcm: new Float32Array(800).fill(0.1), sampleRate: 8000 }),
    };
    const tts = new TtsService({ provider, embedded: provider, cache: new TtsCache() });
    await writeFile(join(dir, 'x.wav'), writeWav({ sampleRate: 8000, channels: 1, data: new Int16Array(80).fill(5) }));
    const f = promptFactory({ tts, audioDir: dir });
    expect(f.speech('Hi', {}).key).toBe(tts.prompt('Hi', {}).key);
    expect((await f.file('x.wav').render()).length).toBe(80);
    await expect(f.file('../x.wav').render()).rejects.toBeInstanceOf(TypeError);
  });
});
