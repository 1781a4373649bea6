// Examples for simulator audio: the text form of specs, rendering tones / WAV files (any rate, stereo) / speech to 8 kHz, and the ear's per-segment energy and probe-tone counts on G.711 frames.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeWav } from '../engine/codec/wav.ts';
import { encodePrompt } from '../engine/media/index.ts';
import type { RtpLeg } from '../engine/media/index.ts';
import { AudioLibrary, dtmfPcm, parseAudioSpec, renderAudio, tonePcm } from './audio.ts';
import { Ear, heardTone, heardVoice } from './ear.ts';
import { SimulatorError } from './errors.ts';
import { tempDir, toneLevel } from './testing/helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('audio specs', () => {
  it('parses the short forms', () => {
    expect(parseAudioSpec('tone:600')).toEqual({ kind: 'tone', frequencies: [600] });
    expect(parseAudioSpec('tone:440+480@6000')).toEqual({ kind: 'tone', frequencies: [440, 480], amplitude: 6000 });
    expect(parseAudioSpec('wav:/tmp/a b.wav')).toEqual({ kind: 'wav', path: '/tmp/a b.wav' });
    expect(parseAudioSpec('speech:Hello there')).toEqual({ kind: 'speech', text: 'Hello there' });
    expect(parseAudioSpec('silence')).toEqual({ kind: 'silence' });
    for (const bad of ['tone:5000', 'tone:abc', 'wav:', 'beep', 'tone:600@0']) {
      expect(() => parseAudioSpec(bad), bad).toThrow(SimulatorError);
    }
  });

  it('renders a 1 s tone of whole cycles at 8 kHz', async () => {
    const pcm = await renderAudio({ kind: 'tone', frequencies: [600] });
    expect(pcm.length).toBe(8000);
    expect(Math.abs(pcm[0])).toBeLessThan(50);
    expect(toneLevel(pcm, 1, 0, 600)).toBeGreaterThan(20 * toneLevel(pcm, 1, 0, 1000));
  });

  it('renders a 44.1 kHz stereo WAV file to 8 kHz mono with the tone kept', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const n = 44100;
    const data = new Int16Array(n * 2);
    for (let i = 0; i < n; i++) {
      const s = Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 44100));
      data[2 * i] = s;
      data[2 * i + 1] = s;
    }
    const file = path.join(dir, 'in.wav');
    await writeFile(file, writeWav({ sampleRate: 44100, channels: 2, data }));
    const pcm = await renderAudio({ kind: 'wav', path: file });
    expect(pcm.length).toBe(8000);
    expect(toneLevel(pcm, 1, 0, 1000)).toBeGreaterThan(20 * toneLevel(pcm, 1, 0, 600));
    await expect(renderAudio({ kind: 'wav', path: path.join(dir, 'missing.wav') })).rejects.toMatchObject({ code: 'bad-audio' });
  });

  it('speaks through the injected synthesiser, and refuses speech without one', async () => {
    const synth = { synthesize: async () => ({ pcm: Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 500 * i) / 16000)), sampleRate: 16000 }) };
    const pcm = await renderAudio({ kind: 'speech', text: 'hello' }, { speech: synth });
    expect(pcm.length).toBe(8000);
    expect(toneLevel(pcm, 1, 0, 500)).toBeGreaterThan(1000);
    await expect(renderAudio({ kind: 'speech', text: 'hello' })).rejects.toMatchObject({ code: 'speech-unavailable' });
  });

  it('caches each rendered spec once', async () => {
    const lib = new AudioLibrary();
    const a = await lib.prompt({ kind: 'tone', frequencies: [700] });
    const b = await lib.prompt({ kind: 'tone', frequencies: [700] });
    expect(a).toBe(b);
    expect(a.frames).toBe(50);
  });
});

describe('Ear', () => {
  const leg = {} as RtpLeg;
  function feed(ear: Ear, pcm: Int16Array, ptime = 160): void {
    const p = encodePrompt('x', pcm);
    const buf = Buffer.alloc(12 + ptime);
    for (let off = 0; off + ptime <= p.pcmu.length; off += ptime) {
      buf.set(p.pcmu.subarray(off, off + ptime), 12);
      ear.onRtp(leg, buf, buf.length, 12, 12 + ptime, 'PCMU');
    }
  }

  it('counts voiced frames and probe tones per segment, whatever the packet size', () => {
    let now = 0;
    const ear = new Ear(() => now, { probes: [600, 1000] });
    ear.mark('answered');
    feed(ear, new Int16Array(1600)); // 200 ms of silence
    now = 1000;
    feed(ear, tonePcm([600], 400), 240); // 30 ms packets
    ear.mark('bridged');
    feed(ear, tonePcm([1000], 600));
    feed(ear, dtmfPcm('5', 200));
    const [a, b] = ear.segments;
    expect(a.label).toBe('answered');
    expect(a.frames).toBe(29); // 10 silent + 19 whole frames of the 30 ms packets (the last half frame is dropped at the mark)
    expect(a.voicedFrames).toBe(19);
    expect(a.firstVoicedMs).toBe(1000);
    expect(a.toneFrames).toEqual({ '600': 19, '1000': 0 });
    expect(b.label).toBe('bridged');
    expect(b.toneFrames['1000']).toBe(30);
    // A DTMF pair splits its energy between two tones: neither probe counts it.
    expect(b.toneFrames['600']).toBe(0);
    expect(heardTone(b, 1000)).toBe(true);
    expect(heardTone(b, 600)).toBe(false);
    expect(heardVoice(a)).toBe(true);
    expect(ear.total().frames).toBe(a.frames + b.frames);
  });
});
