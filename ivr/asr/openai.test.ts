// The OpenAI-compatible recogniser against a mocked transcription API (msw): multipart request fields, verbose_json segments, and every failure class as a typed AsrError (RFC 9110 §15 status classes, RFC 6585 §4 429 with Retry-After, RFC 7578 multipart/form-data).
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseWavHeader } from '../../engine/codec/wav.ts';
import { AsrError } from './errors.ts';
import { OpenAiRecognizer, parseVerboseJson } from './openai.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const URL_ = 'https://asr.test/v1/audio/transcriptions';
/** One second of a 440 Hz tone at 8 kHz. */
const pcm = Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));

const recognizer = (extra: Partial<ConstructorParameters<typeof OpenAiRecognizer>[0]> = {}) =>
  new OpenAiRecognizer({ baseUrl: 'https://asr.test/v1', apiKey: 'sk-test', timeoutMs: 300, ...extra });

async function failure(p: Promise<unknown>): Promise<AsrError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AsrError);
  return err as AsrError;
}

describe('OpenAiRecognizer', () => {
  it('uploads a 16 kHz WAV with model, language, verbose_json and the bearer key, and returns the segments', async () => {
    let fields: Record<string, string> = {};
    let wavRate = 0;
    let wavChannels = 0;
    let auth: string | null = null;
    server.use(
      http.post(URL_, async ({ request }) => {
        auth = request.headers.get('authorization');
        const form = await request.formData();
        const file = form.get('file') as File;
        const info = parseWavHeader(new Uint8Array(await file.arrayBuffer()));
        wavRate = info.sampleRate;
        wavChannels = info.channels;
        fields = Object.fromEntries([...form.entries()].filter(([k]) => k !== 'file').map(([k, v]) => [k, String(v)]));
        return HttpResponse.json({
          task: 'transcribe',
          language: 'english',
          duration: 1.0,
          text: ' Hello there. How are you?',
          segments: [
            { id: 1, start: 0.52, end: 0.98, text: ' How are you?' },
            { id: 0, start: 0.0, end: 0.5, text: ' Hello there.' },
          ],
        });
      }),
    );
    const r = await recognizer().transcribe({ pcm, sampleRate: 8000, language: 'en-US', hints: ['Hotline', 'refund'] });
    expect(auth).toBe('Bearer sk-test');
    expect(wavRate).toBe(16000);
    expect(wavChannels).toBe(1);
    expect(fields).toMatchObject({ model: 'whisper-1', language: 'en', response_format: 'verbose_json', 'timestamp_granularities[]': 'segment', prompt: 'Hotline, refund' });
    expect(r.segments).toEqual([
      { startMs: 0, endMs: 500, text: 'Hello there.' },
      { startMs: 520, endMs: 980, text: 'How are you?' },
    ]);
    expect(r.text).toBe('Hello there. How are you?');
  });

  it('accepts a plain {text} answer as one segment over the audio, and sends no key when none is set', async () => {
    let auth: string | null = 'unset';
    server.use(
      http.post(URL_, ({ request }) => {
        auth = request.headers.get('authorization');
        return HttpResponse.json({ text: 'just text' });
      }),
    );
    const r = await recognizer({ apiKey: undefined }).transcribe({ pcm, sampleRate: 8000, language: 'en' });
    expect(auth).toBeNull();
    expect(r.segments).toEqual([{ startMs: 0, endMs: 1000, text: 'just text' }]);
  });

  it.each([
    [400, 'bad-request', false],
    [413, 'bad-request', false],
    [401, 'unauthorized', false],
    [403, 'unauthorized', false],
    [500, 'server-error', true],
    [502, 'server-error', true],
    [503, 'server-error', true],
  ] as const)('HTTP %i is %s (retryable: %s) (RFC 9110 §15)', async (status, code, retryable) => {
    server.use(http.post(URL_, () => HttpResponse.json({ error: { message: 'nope', type: 'x' } }, { status })));
    const e = await failure(recognizer().transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.status).toBe(status);
  });

  it('429 is rate-limited and carries Retry-After (RFC 6585 §4, RFC 9110 §10.2.3)', async () => {
    server.use(http.post(URL_, () => new HttpResponse('slow down', { status: 429, headers: { 'retry-after': '7' } })));
    const e = await failure(recognizer().transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code: 'rate-limited', retryable: true, retryAfterMs: 7000 });
  });

  it('no answer within timeoutMs is a retryable timeout', async () => {
    server.use(
      http.post(URL_, async () => {
        await delay('infinite');
        return HttpResponse.json({ text: 'late' });
      }),
    );
    const t0 = Date.now();
    const e = await failure(recognizer({ timeoutMs: 150 }).transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('a connection failure is a retryable network error', async () => {
    server.use(http.post(URL_, () => HttpResponse.error()));
    const e = await failure(recognizer().transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code: 'network', retryable: true });
  });

  it.each([
    ['not JSON', () => new HttpResponse('<html>bad gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } })],
    ['a JSON array', () => HttpResponse.json([1, 2])],
    ['segments that are not an array', () => HttpResponse.json({ text: 'x', segments: 'no' })],
    ['a segment without times', () => HttpResponse.json({ text: 'x', segments: [{ text: 'x' }] })],
    ['neither text nor segments', () => HttpResponse.json({ ok: true })],
  ])('a malformed body (%s) is bad-response', async (_name, reply) => {
    server.use(http.post(URL_, reply));
    const e = await failure(recognizer().transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e.code).toBe('bad-response');
  });

  it('an oversized answer is refused as bad-response', async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ text: 'x'.repeat(5000) })));
    const e = await failure(recognizer({ maxBodyBytes: 1000 }).transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e.code).toBe('bad-response');
  });

  it('cancelling through the signal is aborted and not retryable', async () => {
    server.use(
      http.post(URL_, async () => {
        await delay('infinite');
        return HttpResponse.json({ text: 'late' });
      }),
    );
    const ac = new AbortController();
    const p = recognizer({ timeoutMs: 5000 }).transcribe({ pcm, sampleRate: 8000, language: 'en', signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const e = await failure(p);
    expect(e).toMatchObject({ code: 'aborted', retryable: false });
  });

  it('refuses bad arguments with a TypeError naming the field', () => {
    expect(() => new OpenAiRecognizer({ baseUrl: 'ftp://x' })).toThrow(/^baseUrl:/);
    expect(() => new OpenAiRecognizer({ baseUrl: 'https://x/v1', uploadSampleRate: 12345 })).toThrow(/^uploadSampleRate:/);
    return expect(recognizer().transcribe({ pcm, sampleRate: 8000, language: '' })).rejects.toThrow(/^language:/);
  });

  it('parseVerboseJson drops empty segments and orders by start', () => {
    const r = parseVerboseJson({ segments: [{ start: 2, end: 3, text: 'b' }, { start: 1, end: 1.5, text: '  ' }, { start: 0, end: 1, text: 'a' }] }, 3000);
    expect(r.segments.map((s) => s.text)).toEqual(['a', 'b']);
  });
});
