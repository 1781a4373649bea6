// The generic JSON recogniser against a mocked endpoint (msw): configurable request and answer shapes (RFC 8259 JSON, RFC 4648 §4 base64 WAV), status classes, timeouts and malformed answers as typed AsrErrors (RFC 9110 §15).
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readWav } from '../../engine/codec/wav.ts';
import { AsrError } from './errors.ts';
import { HttpJsonRecognizer } from './http-json.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const URL_ = 'https://speech.test/recognize';
const pcm = Int16Array.from({ length: 4000 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000)));

async function failure(p: Promise<unknown>): Promise<AsrError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AsrError);
  return err as AsrError;
}

describe('HttpJsonRecognizer', () => {
  it('sends a base64 16 kHz WAV with language and hints in the default shape and reads {text, segments} in seconds', async () => {
    let body: Record<string, unknown> = {};
    let key: string | null = null;
    server.use(
      http.post(URL_, async ({ request }) => {
        key = request.headers.get('x-api-key');
        body = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json({ text: 'a b', segments: [{ start: 0.1, end: 0.2, text: 'a' }, { start: 0.3, end: 0.45, text: 'b' }] });
      }),
    );
    const r = await new HttpJsonRecognizer({ url: URL_, headers: { 'x-api-key': 'k1' } }).transcribe({ pcm, sampleRate: 8000, language: 'en-GB', hints: ['alpha'] });
    expect(key).toBe('k1');
    expect(body).toMatchObject({ sampleRate: 16000, language: 'en-GB', hints: ['alpha'] });
    const wav = readWav(Buffer.from(body.audio as string, 'base64'));
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1, frames: 8000 });
    expect(r).toEqual({ segments: [{ startMs: 100, endMs: 200, text: 'a' }, { startMs: 300, endMs: 450, text: 'b' }], text: 'a b' });
  });

  it('follows a configured shape: nested request paths, constant fields, answers at other paths in ms', async () => {
    let body: Record<string, unknown> = {};
    server.use(
      http.post(URL_, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json({ result: { utterances: [{ from: 250, to: 900, words: 'hello world' }] } });
      }),
    );
    const rec = new HttpJsonRecognizer({
      url: URL_,
      request: { audio: 'input.content', sampleRate: 'input.rate', language: 'config.lang', hints: null, extra: { config: { model: 'telephony' } } },
      response: { segments: 'result.utterances', start: 'from', end: 'to', segmentText: 'words', timeUnit: 'ms' },
    });
    const r = await rec.transcribe({ pcm, sampleRate: 8000, language: 'zh-CN', hints: ['ignored'] });
    expect(body).toMatchObject({ input: { rate: 16000 }, config: { lang: 'zh-CN', model: 'telephony' } });
    expect(typeof (body.input as { content: unknown }).content).toBe('string');
    expect(body).not.toHaveProperty('hints');
    expect(r.segments).toEqual([{ startMs: 250, endMs: 900, text: 'hello world' }]);
  });

  it('a text-only answer is one segment over the audio', async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ text: ' only text ' })));
    const r = await new HttpJsonRecognizer({ url: URL_ }).transcribe({ pcm, sampleRate: 8000, language: 'en' });
    expect(r.segments).toEqual([{ startMs: 0, endMs: 500, text: 'only text' }]);
  });

  it.each([
    [422, 'bad-request', false],
    [401, 'unauthorized', false],
    [429, 'rate-limited', true],
    [500, 'server-error', true],
    [504, 'server-error', true],
  ] as const)('HTTP %i is %s (retryable: %s) (RFC 9110 §15)', async (status, code, retryable) => {
    server.use(http.post(URL_, () => new HttpResponse('failure', { status })));
    const e = await failure(new HttpJsonRecognizer({ url: URL_ }).transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code, retryable, status });
  });

  it('a hung endpoint is a retryable timeout', async () => {
    server.use(
      http.post(URL_, async () => {
        await delay('infinite');
        return HttpResponse.json({ text: 'never' });
      }),
    );
    const e = await failure(new HttpJsonRecognizer({ url: URL_, timeoutMs: 120 }).transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code: 'timeout', retryable: true });
  });

  it.each([
    ['truncated JSON', () => new HttpResponse('{"text": "abc', { status: 200, headers: { 'content-type': 'application/json' } })],
    ['no text and no segments', () => HttpResponse.json({ transcript: 'x' })],
    ['segments of the wrong type', () => HttpResponse.json({ segments: { start: 1 } })],
    ['a segment with a negative time', () => HttpResponse.json({ segments: [{ start: -1, end: 2, text: 'x' }] })],
    ['a segment whose text is a number', () => HttpResponse.json({ segments: [{ start: 1, end: 2, text: 5 }] })],
  ])('a malformed answer (%s) is bad-response', async (_n, reply) => {
    server.use(http.post(URL_, reply));
    const e = await failure(new HttpJsonRecognizer({ url: URL_ }).transcribe({ pcm, sampleRate: 8000, language: 'en' }));
    expect(e.code).toBe('bad-response');
  });

  it('refuses paths that could reach object prototypes, and non-http URLs', () => {
    expect(() => new HttpJsonRecognizer({ url: URL_, request: { audio: '__proto__.polluted' } })).toThrow(/^request\.audio:/);
    expect(() => new HttpJsonRecognizer({ url: URL_, response: { text: 'a..b' } })).toThrow(/^response\.text:/);
    expect(() => new HttpJsonRecognizer({ url: 'file:///etc/passwd' })).toThrow(/^url:/);
  });
});
