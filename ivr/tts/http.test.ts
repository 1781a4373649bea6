// HTTP TTS providers against mocked services (msw): OpenAI-compatible /v1/audio/speech and a generic JSON endpoint — success, 4xx, 5xx, timeout, network error, malformed bodies (RFC 9110; RFC 4648 base64; RIFF WAVE).
import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '../../engine/codec/wav.ts';
import { TtsError } from '../errors.ts';
import type { TtsErrorCode } from '../errors.ts';
import { HttpJsonTts, OpenAiTts } from './http.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A 440 Hz tone, `channels` interleaved, as WAV bytes. */
function toneWav(rate: number, seconds: number, channels = 1): Buffer {
  const frames = Math.round(rate * seconds);
  const data = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return writeWav({ sampleRate: rate, channels, data });
}

const wavResponse = (b: Buffer): HttpResponse<ArrayBuffer> =>
  new HttpResponse(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, { headers: { 'content-type': 'audio/wav' } });

async function failure(p: Promise<unknown>): Promise<{ code: TtsErrorCode; status?: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TtsError);
  return { code: (err as TtsError).code, ...((err as TtsError).status !== undefined ? { status: (err as TtsError).status } : {}) };
}

describe('OpenAI-compatible provider', () => {
  const tts = new OpenAiTts({ baseUrl: 'https://tts.test', apiKey: 'sk-test', model: 'tts-1-hd', voice: 'alloy', voices: { zh: 'nova' }, timeoutMs: 150 });

  it('POSTs model, input, voice and response_format wav with the bearer key; decodes the WAV (stereo downmixed)', async () => {
    let body: unknown;
    let auth: string | null = null;
    server.use(
      http.post('https://tts.test/v1/audio/speech', async ({ request }) => {
        body = await request.json();
        auth = request.headers.get('authorization');
        return wavResponse(toneWav(24000, 0.5, 2));
      }),
    );
    const r = await tts.synthesize('Hello there', { language: 'zh-CN' });
    expect(body).toEqual({ model: 'tts-1-hd', input: 'Hello there', voice: 'nova', response_format: 'wav' });
    expect(auth).toBe('Bearer sk-test');
    expect(r.sampleRate).toBe(24000);
    expect(r.pcm).toBeInstanceOf(Int16Array);
    expect(r.pcm.length).toBe(12000);
    expect(tts.id).toBe('openai:https://tts.test/v1/audio/speech:tts-1-hd');
    expect(tts.id).not.toContain('sk-test');
  });

  it('keeps a base URL that already ends with /v1/audio/speech, and an explicit voice wins over the language map', async () => {
    const t = new OpenAiTts({ baseUrl: 'http://local.test:8000/v1/audio/speech/' });
    expect(t.url).toBe('http://local.test:8000/v1/audio/speech');
    expect(tts.voiceFor({ voice: 'echo', language: 'zh' })).toBe('echo');
    expect(tts.voiceFor({ language: 'en' })).toBe('alloy');
  });

  it('reads a streaming WAV whose header claims more data than sent', async () => {
    const b = toneWav(24000, 0.2);
    b.writeUInt32LE(0xffffffff, 40); // data size unknown when streaming
    server.use(http.post('https://tts.test/v1/audio/speech', () => wavResponse(b)));
    const r = await tts.synthesize('x', {});
    expect(r.pcm.length).toBe(4800);
  });

  it.each([
    ['400 (bad voice)', () => HttpResponse.json({ error: { message: 'invalid voice' } }, { status: 400 }), 'http-status', 400],
    ['401 (bad key)', () => new HttpResponse('unauthorized', { status: 401 }), 'http-status', 401],
    ['429 (rate limited)', () => new HttpResponse(null, { status: 429 }), 'http-status', 429],
    ['500', () => new HttpResponse('boom', { status: 500 }), 'http-status', 500],
    ['503', () => new HttpResponse(null, { status: 503 }), 'http-status', 503],
    ['a JSON body instead of audio', () => HttpResponse.json({ ok: true }), 'malformed', undefined],
    ['a truncated WAV header', () => wavResponse(toneWav(8000, 0.1).subarray(0, 20)), 'malformed', undefined],
    ['a WAV without samples', () => wavResponse(writeWav({ sampleRate: 24000, channels: 1, data: new Int16Array(0) })), 'malformed', undefined],
    ['a network error', () => HttpResponse.error(), 'network', undefined],
  ])('%s → TtsError %s', async (_, reply, code, status) => {
    server.use(http.post('https://tts.test/v1/audio/speech', reply));
    expect(await failure(tts.synthesize('x', {}))).toEqual(status === undefined ? { code } : { code, status });
  });

  it('no reply within timeoutMs → timeout', async () => {
    server.use(
      http.post('https://tts.test/v1/audio/speech', async () => {
        await delay('infinite');
        return new HttpResponse(null);
      }),
    );
    const t0 = performance.now();
    expect(await failure(tts.synthesize('x', {}))).toEqual({ code: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('the caller’s signal → aborted (not timeout)', async () => {
    server.use(
      http.post('https://tts.test/v1/audio/speech', async () => {
        await delay('infinite');
        return new HttpResponse(null);
      }),
    );
    const ac = new AbortController();
    const p = tts.synthesize('x', {}, ac.signal);
    setImmediate(() => ac.abort());
    expect(await failure(p)).toEqual({ code: 'aborted' });
  });
});

describe('generic JSON provider', () => {
  it('fills the body template and decodes base64 WAV at the configured field', async () => {
    let body: unknown;
    server.use(
      http.post('https://speech.test/synth', async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ data: { audioContent: toneWav(16000, 0.25).toString('base64') } });
      }),
    );
    const t = new HttpJsonTts({
      url: 'https://speech.test/synth',
      body: { input: { text: '{{text}}' }, voice: { name: '{{voice}}', languageCode: '{{language}}' }, rate: 1.0 },
      audioField: 'data.audioContent',
      voice: 'zh-CN-Standard-A',
      headers: { 'x-api-key': 'k' },
    });
    const r = await t.synthesize('你好', { language: 'zh-CN' });
    expect(body).toEqual({ input: { text: '你好' }, voice: { name: 'zh-CN-Standard-A', languageCode: 'zh-CN' }, rate: 1 });
    expect(r).toMatchObject({ sampleRate: 16000 });
    expect(r.pcm.length).toBe(4000);
  });

  it('decodes base64 16-bit little-endian PCM with the sample rate from the reply', async () => {
    const pcm = Buffer.alloc(2 * 2205);
    for (let i = 0; i < 2205; i++) pcm.writeInt16LE(Math.round(5000 * Math.sin(i / 3)), i * 2);
    server.use(http.post('https://speech.test/synth', () => HttpResponse.json({ audio: pcm.toString('base64'), sample_rate: 22050 })));
    const t = new HttpJsonTts({ url: 'https://speech.test/synth', audioEncoding: 'pcm16le', sampleRateField: 'sample_rate' });
    const r = await t.synthesize('x', {});
    expect(r.sampleRate).toBe(22050);
    expect(Array.from(r.pcm.subarray(0, 3))).toEqual([0, Math.round(5000 * Math.sin(1 / 3)), Math.round(5000 * Math.sin(2 / 3))]);
  });

  it('accepts a WAV reply directly (audio/wav)', async () => {
    server.use(http.post('https://speech.test/synth', () => wavResponse(toneWav(8000, 0.1))));
    const r = await new HttpJsonTts({ url: 'https://speech.test/synth' }).synthesize('x', {});
    expect(r.pcm.length).toBe(800);
  });

  it.each([
    ['a reply that is neither JSON nor WAV', () => new HttpResponse('<html>oops</html>', { headers: { 'content-type': 'text/html' } }), 'malformed'],
    ['JSON without the audio field', () => HttpResponse.json({ result: 'ok' }), 'malformed'],
    ['audio that is not base64', () => HttpResponse.json({ audio: 'not base64 !!' }), 'malformed'],
    ['base64 that is not a WAV', () => HttpResponse.json({ audio: Buffer.from('hello world, not audio').toString('base64') }), 'malformed'],
    ['a 404', () => new HttpResponse(null, { status: 404 }), 'http-status'],
    ['a 502', () => new HttpResponse(null, { status: 502 }), 'http-status'],
  ])('%s → TtsError %s', async (_, reply, code) => {
    server.use(http.post('https://speech.test/synth', reply));
    expect((await failure(new HttpJsonTts({ url: 'https://speech.test/synth' }).synthesize('x', {}))).code).toBe(code);
  });

  it('pcm16le without a rate in the reply or the options is refused at construction; a bad rate in the reply is malformed', async () => {
    expect(() => new HttpJsonTts({ url: 'https://speech.test/synth', audioEncoding: 'pcm16le' })).toThrow(TypeError);
    server.use(http.post('https://speech.test/synth', () => HttpResponse.json({ audio: 'AAAA', sr: 'fast' })));
    const t = new HttpJsonTts({ url: 'https://speech.test/synth', audioEncoding: 'pcm16le', sampleRateField: 'sr' });
    expect((await failure(t.synthesize('x', {}))).code).toBe('malformed');
  });

  it('refuses non-http URLs', () => {
    expect(() => new HttpJsonTts({ url: 'file:///etc/passwd' })).toThrow(TypeError);
    expect(() => new OpenAiTts({ baseUrl: 'ftp://x' })).toThrow(TypeError);
  });
});
