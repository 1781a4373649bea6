// The tenant TTS service: cache hits do not re-synthesise, concurrent renders share one synthesis, disk cache across restarts, fallback to the embedded engine on HTTP failure (logged, with a breaker), prompts for CallControl.play, prewarm of a flow (DESIGN.md §1, §7).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeWav } from '../../engine/codec/wav.ts';
import { DEFAULT_FLOW } from '../default-flow.ts';
import { TtsError } from '../errors.ts';
import { MemoryLogger } from '../log.ts';
import { flowOf } from '../interpreter/testing/flows.ts';
import { TtsCache } from './cache.ts';
import { TtsService, providerFromConfig } from './service.ts';
import type { SynthesisResult, TtsProvider } from './types.ts';
import type { VoiceSelection } from './voice.ts';

/** A provider that counts its syntheses and returns a tone whose length follows the text. */
class CountingProvider implements TtsProvider {
  calls: Array<{ text: string; sel: VoiceSelection }> = [];
  fail: TtsError | undefined;
  gate: Promise<void> | undefined;
  readonly id: string;
  readonly rate: number;
  constructor(id: string, rate = 16000) {
    this.id = id;
    this.rate = rate;
  }
  voiceFor(sel: VoiceSelection): string {
    return sel.voice ?? `lang-${sel.language ?? 'none'}`;
  }
  async synthesize(text: string, sel: VoiceSelection): Promise<SynthesisResult> {
    this.calls.push({ text, sel });
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    const n = Math.round(this.rate * 0.1 * Math.max(1, text.length / 5));
    const pcm = new Float32Array(n);
    for (let i = 0; i < n; i++) pcm[i] = 0.3 * Math.sin((2 * Math.PI * 300 * i) / this.rate);
    return { pcm, sampleRate: this.rate };
  }
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotline-tts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TtsService cache', () => {
  it('a second render of the same text and voice is a cache hit: the provider is not asked again', async () => {
    const p = new CountingProvider('fake');
    const tts = new TtsService({ provider: p, embedded: p, cache: new TtsCache() });
    const a = await tts.render('Welcome to Acme.', { language: 'en' });
    const b = await tts.render('Welcome to Acme.', { language: 'en' });
    expect(p.calls).toHaveLength(1);
    expect(b).toBe(a);
    expect(tts.stats).toMatchObject({ syntheses: 1, cached: 1 });
    await tts.render('Welcome to Acme.', { language: 'zh' }); // another voice
    await tts.render('Welcome to Acme!', { language: 'en' }); // another text
    expect(p.calls).toHaveLength(3);
  });

  it('concurrent renders of one text share one synthesis', async () => {
    const p = new CountingProvider('fake');
    let open!: () => void;
    p.gate = new Promise((r) => (open = r));
    const tts = new TtsService({ provider: p, embedded: p, cache: new TtsCache() });
    const all = Promise.all([tts.render('Same.'), tts.render('Same.'), tts.render('Same.')]);
    await new Promise((r) => setImmediate(r));
    open();
    const [x, y, z] = await all;
    expect(p.calls).toHaveLength(1);
    expect(y).toBe(x);
    expect(z).toBe(x);
  });

  it('the disk cache survives a restart: a new service and cache on the same directory do not synthesise', async () => {
    const p1 = new CountingProvider('fake');
    const first = await new TtsService({ provider: p1, embedded: p1, cache: new TtsCache({ dir }) }).render('Persisted prompt.');
    const files = await readdir(dir, { recursive: true });
    expect(files.some((f) => f.endsWith('.wav'))).toBe(true);
    const p2 = new CountingProvider('fake');
    const cache2 = new TtsCache({ dir });
    const again = await new TtsService({ provider: p2, embedded: p2, cache: cache2 }).render('Persisted prompt.');
    expect(p2.calls).toHaveLength(0);
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(cache2.stats.diskHits).toBe(1);
  });

  it('output is 8 kHz (the band-limited resampler), trimmed and level-normalised', async () => {
    const p = new CountingProvider('fake', 48000);
    const pcm = await new TtsService({ provider: p, embedded: p, cache: new TtsCache() }).render('Ten chars.');
    // 0.2 s at 48 kHz → 1600 samples at 8 kHz (no leading/trailing silence to trim).
    expect(pcm.length).toBe(1600);
    let e = 0;
    for (const s of pcm.subarray(100, 1500)) e += (s / 32768) ** 2;
    expect(10 * Math.log10(e / 1400)).toBeCloseTo(-20, 0);
  });

  it('prompt(): a stable key per provider, voice and text, rendering through the cache', async () => {
    const p = new CountingProvider('fake');
    const tts = new TtsService({ provider: p, embedded: p, cache: new TtsCache() });
    const a = tts.prompt('Hi', { language: 'en' });
    expect(a.key).toBe(tts.ttsPrompt('Hi', { language: 'en' }).key);
    expect(a.key).toMatch(/^tts:[0-9a-f]{64}$/);
    expect(a.key).not.toBe(tts.prompt('Hi', { language: 'zh' }).key);
    expect(a.key).not.toBe(new TtsService({ provider: new CountingProvider('other'), cache: new TtsCache() }).prompt('Hi', { language: 'en' }).key);
    const pcm = await a.render();
    expect(pcm.length).toBeGreaterThan(0);
    await a.render();
    expect(p.calls).toHaveLength(1);
  });
});

describe('TtsService fallback', () => {
  const speech = 'https://tts.test/v1/audio/speech';

  it('an HTTP provider failure (500) falls back to the embedded engine with the language only, and is logged', async () => {
    server.use(http.post(speech, () => new HttpResponse('down', { status: 500 })));
    const embedded = new CountingProvider('embedded-fake');
    const log = new MemoryLogger();
    const tts = new TtsService({ config: { provider: 'openai', openai: { baseUrl: 'https://tts.test', timeoutMs: 500 } }, embedded, cache: new TtsCache(), log });
    const pcm = await tts.render('We are busy.', { language: 'en', voice: 'alloy' });
    expect(pcm.length).toBeGreaterThan(0);
    expect(embedded.calls).toEqual([{ text: 'We are busy.', sel: { language: 'en' } }]);
    expect(tts.stats.fallbacks).toBe(1);
    const warn = log.entries.find((e) => e.level === 'warn');
    expect(warn?.obj).toMatchObject({ code: 'http-status', status: 500 });
  });

  it.each([
    ['a 400', () => new HttpResponse(null, { status: 400 })],
    ['a malformed body', () => HttpResponse.json({ not: 'audio' })],
    ['a network error', () => HttpResponse.error()],
  ])('%s also falls back', async (_, reply) => {
    server.use(http.post(speech, reply));
    const embedded = new CountingProvider('embedded-fake');
    const tts = new TtsService({ config: { provider: 'openai', openai: { baseUrl: 'https://tts.test' } }, embedded, cache: new TtsCache() });
    await tts.render('x');
    expect(embedded.calls).toHaveLength(1);
  });

  it('after a failure the breaker skips the provider for breakerMs, then tries it again', async () => {
    let hits = 0;
    let up = false;
    server.use(
      http.post(speech, () => {
        hits++;
        const data = new Int16Array(800).fill(1000);
        const b = writeWav({ sampleRate: 8000, channels: 1, data });
        return up ? new HttpResponse(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer) : new HttpResponse(null, { status: 503 });
      }),
    );
    let now = 0;
    const embedded = new CountingProvider('embedded-fake');
    const tts = new TtsService({ config: { provider: 'openai', openai: { baseUrl: 'https://tts.test' } }, embedded, cache: new TtsCache(), now: () => now, breakerMs: 30_000 });
    await tts.render('one');
    await tts.render('two');
    expect(hits).toBe(1);
    expect(embedded.calls.map((c) => c.text)).toEqual(['one', 'two']);
    now = 31_000;
    up = true;
    await tts.render('three');
    expect(hits).toBe(2);
    expect(embedded.calls).toHaveLength(2);
    // 'one' spoken by the fallback was cached under the embedded key: once the provider is back it is asked for it.
    await tts.render('one');
    expect(hits).toBe(3);
  });

  it('when the embedded engine fails too, render rejects with its error', async () => {
    server.use(http.post(speech, () => new HttpResponse(null, { status: 500 })));
    const embedded = new CountingProvider('embedded-fake');
    embedded.fail = new TtsError('engine', 'embedded', 'wasm trap');
    const tts = new TtsService({ config: { provider: 'openai', openai: { baseUrl: 'https://tts.test' } }, embedded, cache: new TtsCache() });
    await expect(tts.render('x')).rejects.toMatchObject({ code: 'engine' });
  });

  it('a caller’s abort stops its wait without failing others or the cache fill', async () => {
    const p = new CountingProvider('fake');
    let open!: () => void;
    p.gate = new Promise((r) => (open = r));
    const tts = new TtsService({ provider: p, embedded: p, cache: new TtsCache() });
    const ac = new AbortController();
    const a = tts.render('Shared.', {}, ac.signal);
    const b = tts.render('Shared.');
    ac.abort();
    await expect(a).rejects.toMatchObject({ code: 'aborted' });
    open();
    expect((await b).length).toBeGreaterThan(0);
    await tts.render('Shared.');
    expect(p.calls).toHaveLength(1);
  });

  it('providerFromConfig builds each kind', () => {
    const embedded = new CountingProvider('embedded');
    expect(providerFromConfig({ provider: 'embedded' }, { embedded })).toBe(embedded);
    expect(providerFromConfig({ provider: 'openai', openai: { baseUrl: 'https://a.test' } }, { embedded }).id).toMatch(/^openai:/);
    expect(providerFromConfig({ provider: 'http-json', http: { url: 'https://b.test/tts' } }, { embedded }).id).toMatch(/^http-json:/);
    expect(() => providerFromConfig({ provider: 'openai', openai: { baseUrl: 'nope' } }, { embedded })).toThrow(TypeError);
  });
});

describe('TtsService.prewarm', () => {
  it('synthesises the default flow’s static prompts once; a second prewarm finds them cached', async () => {
    const p = new CountingProvider('fake');
    const tts = new TtsService({ provider: p, embedded: p, cache: new TtsCache() });
    const r1 = await tts.prewarm(DEFAULT_FLOW);
    expect(r1).toMatchObject({ prompts: 3, synthesized: 3, cached: 0, skipped: 0, failed: [] });
    expect(p.calls.map((c) => c.text).sort()).toEqual(
      [DEFAULT_FLOW.nodes.greeting, DEFAULT_FLOW.nodes.goodbye].map((n) => (n as { text: string }).text).concat([(DEFAULT_FLOW.nodes.voicemail as { prompt: { say: string } }).prompt.say]).sort(),
    );
    const r2 = await tts.prewarm(DEFAULT_FLOW);
    expect(r2).toMatchObject({ prompts: 3, synthesized: 0, cached: 3 });
    expect(p.calls).toHaveLength(3);
  });

  it('warms the keys the interpreter will ask for (flow language/voice defaults), skips templated texts, reports failures', async () => {
    const p = new CountingProvider('fake');
    const tts = new TtsService({ provider: p, embedded: p, cache: new TtsCache() });
    const flow = flowOf(
      {
        a: { type: 'say', text: 'Hello {{caller}}', next: 'b' },
        b: { type: 'gather', prompt: { say: 'Press one.' }, reprompt: { say: 'Again.', language: 'zh' }, next: 'c', noInput: 'c' },
        c: { type: 'say', text: 'Press one.', next: 'd' },
        d: { type: 'hangup' },
      },
      'a',
      { language: 'en', voice: 'v1' },
    );
    const r = await tts.prewarm(flow);
    expect(r).toMatchObject({ prompts: 2, synthesized: 2, skipped: 1, failed: [] });
    expect(p.calls.map((c) => c.sel)).toEqual([{ language: 'en', voice: 'v1' }, { language: 'zh' }]);
    // The interpreter's say of node c (same text, flow defaults) hits the warmed entry.
    await tts.prompt('Press one.', { language: 'en', voice: 'v1' }).render();
    expect(p.calls).toHaveLength(2);
    p.fail = new TtsError('engine', 'fake', 'broken');
    const r2 = await tts.prewarm(flowOf({ x: { type: 'say', text: 'New text.', next: 'y' }, y: { type: 'hangup' } }));
    expect(r2.failed).toEqual([{ node: 'x', text: 'New text.', error: 'broken' }]);
  });
});

describe('TtsCache', () => {
  it('bounds memory by bytes, evicting the least recently used', async () => {
    const cache = new TtsCache({ maxBytes: 3000 });
    const pcm = (n: number): Int16Array => new Int16Array(n).fill(7);
    await cache.set('a', pcm(500)); // 1000 bytes
    await cache.set('b', pcm(500));
    await cache.get('a'); // a is now the most recent
    await cache.set('c', pcm(600)); // 1200 bytes: over the bound, b goes
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBeDefined();
    expect(cache.stats).toMatchObject({ evictions: 1, entries: 2, bytes: 2200 });
  });

  it('keys differ by provider, voice and text', () => {
    const k = TtsCache.key('p', 'v', 't');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([k, TtsCache.key('p2', 'v', 't'), TtsCache.key('p', 'v2', 't'), TtsCache.key('p', 'v', 't2'), TtsCache.key('p', 'v\0t', '')]).size).toBe(5);
  });

  it('a corrupt disk entry is ignored (a miss) and counted', async () => {
    const log = new MemoryLogger();
    const cache = new TtsCache({ dir, log });
    const key = TtsCache.key('p', 'v', 't');
    await cache.set(key, new Int16Array(100).fill(3));
    await writeFile(cache.pathOf(key)!, 'garbage');
    cache.clearMemory();
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.stats.diskErrors).toBe(1);
    expect(log.entries).toHaveLength(1);
  });
});
