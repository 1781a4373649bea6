// Examples for the prompt cache: G.711 frames encoded once (ITU-T G.711, RFC 3551 §4.5.14 20 ms frames), LRU bounded by bytes, shared asynchronous loads.
import { describe, expect, it } from 'vitest';
import { alawEncode, ulawEncode } from '../codec/g711.ts';
import { PROMPT_CACHE_DEFAULTS, PromptCache, encodePrompt, promptEncodings } from './prompt-cache.ts';

function tone(samples: number, hz = 440, amp = 8000): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

describe('encodePrompt', () => {
  it('encodes 8 kHz PCM into 160-octet μ-law and A-law frames, the last padded with each law’s silence code', () => {
    const pcm = tone(400);
    const p = encodePrompt('t', pcm);
    expect([p.frames, p.frameSamples, p.samples, p.durationMs, p.byteLength]).toEqual([3, 160, 400, 60, 960]);
    const u = new Uint8Array(400);
    const a = new Uint8Array(400);
    ulawEncode(pcm, u);
    alawEncode(pcm, a);
    expect(p.payload('PCMU').subarray(0, 400)).toEqual(u);
    expect(p.payload('PCMA').subarray(0, 400)).toEqual(a);
    expect([...new Set(p.pcmu.subarray(400))]).toEqual([0xff]);
    expect([...new Set(p.pcma.subarray(400))]).toEqual([0xd5]);
  });

  it('refuses empty PCM and bad frame sizes with TypeError', () => {
    expect(() => encodePrompt('x', new Int16Array(0))).toThrow(TypeError);
    expect(() => encodePrompt('x', tone(10), 0)).toThrow(TypeError);
  });
});

describe('PromptCache', () => {
  it('encodes a prompt once: later requests get the cached frames', () => {
    const cache = new PromptCache();
    const before = promptEncodings.count;
    let made = 0;
    const make = (): Int16Array => {
      made++;
      return tone(8000);
    };
    const p1 = cache.getOrEncode('acme/welcome', make);
    const p2 = cache.getOrEncode('acme/welcome', make);
    const p3 = cache.get('acme/welcome');
    expect(p2).toBe(p1);
    expect(p3).toBe(p1);
    expect(made).toBe(1);
    expect(promptEncodings.count - before).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, encodings: 1, entries: 1, bytes: 16000 });
  });

  it('shares one load among concurrent requests, and does not cache a failed load', async () => {
    const cache = new PromptCache();
    let loads = 0;
    const loader = async (): Promise<Int16Array> => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return tone(1600);
    };
    const [a, b, c] = await Promise.all([cache.load('k', loader), cache.load('k', loader), cache.load('k', loader)]);
    expect(loads).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(cache.stats.encodings).toBe(1);
    await expect(cache.load('bad', () => Promise.reject(new Error('tts down')))).rejects.toThrow('tts down');
    expect(cache.has('bad')).toBe(false);
    expect(await cache.load('bad', async () => tone(160))).toBeDefined();
  });

  it('evicts the least recently used prompts to stay under maxBytes, and does not keep an oversized one', () => {
    const cache = new PromptCache({ maxBytes: 3 * 3200 });
    for (const k of ['a', 'b', 'c']) cache.getOrEncode(k, tone(1600));
    expect(cache.stats.bytes).toBe(9600);
    cache.get('a'); // a is now the most recent: b goes first
    cache.getOrEncode('d', tone(1600));
    expect(['a', 'b', 'c', 'd'].map((k) => cache.has(k))).toEqual([true, false, true, true]);
    expect(cache.stats).toMatchObject({ evictions: 1, entries: 3, bytes: 9600 });
    const big = cache.getOrEncode('big', tone(8000));
    expect(big.frames).toBe(50);
    expect(cache.has('big')).toBe(false);
    expect(cache.stats.oversized).toBe(1);
    expect(cache.delete('a')).toBe(true);
    expect(cache.stats.bytes).toBe(6400);
    cache.clear();
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0 });
  });
});
