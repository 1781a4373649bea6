// Per-speaker call transcripts: channel split (customer left, agent right), silent channels skipped, long channels cut at quiet points with times kept, lines merged in time order; the event loop stays responsive; and the real thing with Flite speech and pocketsphinx in grammar mode.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../../engine/codec/resample.ts';
import { readWav, writeWav } from '../../engine/codec/wav.ts';
import { monoWav } from './audio.ts';
import { createCallTranscriber, planChunks, readRecording, transcribeStereo } from './call-transcript.ts';
import { AsrError } from './errors.ts';
import type { SpeechRecognizer, TranscribeRequest, TranscriptionResult } from './types.ts';
import { speak, stereoRecording } from './testing/speech.ts';

const RATE = 8000;

/** A tone burst of `ms` at `hz`. */
const tone = (ms: number, hz = 500, amp = 8000): Int16Array => Int16Array.from({ length: (RATE * ms) / 1000 }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / RATE)));

/** A fake recogniser that "hears" each loud stretch of its input as one segment named after the call count, and keeps its requests. */
class BurstRecognizer implements SpeechRecognizer {
  readonly name = 'bursts';
  readonly requests: TranscribeRequest[] = [];
  async transcribe(req: TranscribeRequest): Promise<TranscriptionResult> {
    this.requests.push(req);
    const segments = [];
    let start = -1;
    const frame = RATE / 50;
    for (let f = 0; f * frame <= req.pcm.length; f++) {
      let peak = 0;
      for (let i = f * frame; i < Math.min(req.pcm.length, (f + 1) * frame); i++) peak = Math.max(peak, Math.abs(req.pcm[i]));
      const loud = peak > 1000;
      if (loud && start < 0) start = f * 20;
      if (!loud && start >= 0) {
        segments.push({ startMs: start, endMs: f * 20, text: `burst ${this.requests.length}.${segments.length}` });
        start = -1;
      }
    }
    return { segments, text: segments.map((s) => s.text).join(' ') };
  }
}

describe('transcribeStereo', () => {
  it('recognises each channel separately and merges lines in time order, labelled customer (left) / agent (right)', async () => {
    const wav = readWav(stereoRecording(6000, [
      { speaker: 'agent', atMs: 500, pcm: tone(800) },
      { speaker: 'customer', atMs: 2000, pcm: tone(1000) },
      { speaker: 'agent', atMs: 4000, pcm: tone(600) },
    ]));
    const rec = new BurstRecognizer();
    const t = await transcribeStereo(wav, rec, { language: 'en' });
    expect(rec.requests).toHaveLength(2);
    expect(t.lines.map((l) => [l.speaker, l.startMs, l.endMs])).toEqual([
      ['agent', 500, 1300],
      ['customer', 2000, 3000],
      ['agent', 4000, 4600],
    ]);
    expect(t.durationMs).toBe(6000);
    expect(t.speakers).toEqual([
      { speaker: 'customer', channel: 'left', speechMs: 1000, silent: false, lines: 1 },
      { speaker: 'agent', channel: 'right', speechMs: 1400, silent: false, lines: 2 },
    ]);
    expect(t.text.split('\n')[0]).toMatch(/^agent: /);
  });

  it('skips a silent channel (line noise below the threshold) without calling the recogniser for it', async () => {
    const wav = readWav(stereoRecording(4000, [{ speaker: 'customer', atMs: 1000, pcm: tone(1000) }], { noise: 40 }));
    const rec = new BurstRecognizer();
    const t = await transcribeStereo(wav, rec, { language: 'en' });
    expect(rec.requests).toHaveLength(1);
    expect(t.speakers[1]).toMatchObject({ speaker: 'agent', silent: true, lines: 0 });
    expect(t.lines.every((l) => l.speaker === 'customer')).toBe(true);
  });

  it('cuts long channels at quiet points and keeps recording-relative times', async () => {
    const bursts = [300, 1200, 2600, 4000].map((atMs) => ({ speaker: 'customer' as const, atMs, pcm: tone(500) }));
    const wav = readWav(stereoRecording(6000, bursts));
    const rec = new BurstRecognizer();
    const t = await transcribeStereo(wav, rec, { language: 'en', maxChunkMs: 2000 });
    expect(rec.requests).toHaveLength(3);
    for (const r of rec.requests) expect(r.pcm.length).toBeLessThanOrEqual(2 * RATE);
    expect(t.lines.map((l) => l.startMs)).toEqual([300, 1200, 2600, 4000]);
    expect(t.lines.map((l) => l.endMs)).toEqual([800, 1700, 3100, 4500]);
  });

  it('a mono recording is the customer alone; more than two channels is bad-audio', async () => {
    const mono = { sampleRate: RATE, channels: 1, data: tone(1000) };
    const t = await transcribeStereo(mono, new BurstRecognizer(), { language: 'en' });
    expect(t.speakers.map((s) => s.speaker)).toEqual(['customer']);
    const err = await transcribeStereo({ sampleRate: RATE, channels: 3, data: new Int16Array(30) }, new BurstRecognizer(), { language: 'en' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad-audio', retryable: false });
  });

  it('keeps the event loop responsive while preparing three minutes of stereo audio (the media clock shares this thread)', async () => {
    const minutes = 3;
    const data = new Int16Array(RATE * 60 * minutes * 2);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(3000 * Math.sin(i / 7));
    // what one channel's upsampling would block for if done in one go
    const channel = new Int16Array(RATE * 60 * minutes).fill(1000);
    const t0 = performance.now();
    resample(channel, RATE, 16000);
    const blockingMs = performance.now() - t0;
    const resampling: SpeechRecognizer = {
      name: 'resampling',
      async transcribe(req) {
        await monoWav(req.pcm, req.sampleRate, 16000, req.signal);
        return { segments: [], text: '' };
      },
    };
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    try {
      await transcribeStereo({ sampleRate: RATE, channels: 2, data }, resampling, { language: 'en', maxChunkMs: 0 });
    } finally {
      clearInterval(timer);
    }
    expect(blockingMs).toBeGreaterThan(60);
    expect(worst).toBeLessThan(blockingMs / 2);
  });

  it('planChunks cuts at the quietest frame of the last tenth and leaves out silent pieces', () => {
    const levels = new Array<number>(100).fill(-20);
    levels[93] = -80; // quiet point inside the last tenth of the first 100-frame (2 s) piece… of a 1 s limit: frames 45–50
    levels[47] = -70;
    for (let f = 60; f < 100; f++) levels[f] = -90;
    const chunks = planChunks(levels, 160, 16000, 1000, -45);
    expect(chunks[0]).toEqual([0, 47 * 160]);
    expect(chunks.every(([a, b]) => b > a)).toBe(true);
    expect(chunks.some(([a]) => a >= 60 * 160 + 160 * 40)).toBe(false);
  });
});

describe('createCallTranscriber with pocketsphinx in grammar mode (real speech)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-call-asr-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const SENTENCES = ['please reset my password', 'hello how can i help you', 'your order has been shipped today', 'i would like to pay my bill'];

  it('a stereo recording where the agent and customer each say known sentences gives labelled lines with their words', async () => {
    const file = path.join(dir, 'call.wav');
    await writeFile(
      file,
      stereoRecording(9000, [
        { speaker: 'agent', atMs: 300, pcm: await speak('Hello, how can I help you?') },
        { speaker: 'customer', atMs: 2800, pcm: await speak('Please reset my password.') },
        { speaker: 'agent', atMs: 5600, pcm: await speak('Your order has been shipped today.') },
      ]),
    );
    const transcribe = createCallTranscriber({ defaults: { provider: 'pocketsphinx', language: 'en-US', mode: 'grammar', hints: SENTENCES } });
    const t = await transcribe({ file, settings: null });
    expect(t.provider).toBe('pocketsphinx');
    expect(t.lines.map((l) => `${l.speaker}: ${l.text}`)).toEqual(['agent: hello how can i help you', 'customer: please reset my password', 'agent: your order has been shipped today']);
    expect(Math.abs(t.lines[1].startMs - 2800)).toBeLessThan(400);
  });

  it('tenant settings override the defaults; invalid stored settings are bad-config; a missing file is bad-audio', async () => {
    const file = path.join(dir, 'mono.wav');
    await writeFile(file, writeWav({ sampleRate: RATE, channels: 1, data: await speak('I would like to pay my bill.') }));
    const transcribe = createCallTranscriber({ defaults: { provider: 'pocketsphinx', language: 'en', mode: 'grammar', hints: ['hello'] } });
    const t = await transcribe({ file, settings: { provider: 'pocketsphinx', language: 'en', mode: 'keywords', hints: ['bill', 'refund'] } });
    expect(t.lines.map((l) => l.text)).toContain('bill');
    const bad = await transcribe({ file, settings: { provider: 'nope' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AsrError);
    expect(bad).toMatchObject({ code: 'bad-config', retryable: false });
    const missing = await transcribe({ file: path.join(dir, 'none.wav'), settings: null }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'bad-audio', retryable: false });
    await expect(readRecording(path.join(dir, 'none.wav'))).rejects.toBeInstanceOf(AsrError);
  });
});
