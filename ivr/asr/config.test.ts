// Per-tenant speech recognition settings: checked field by field (errors name the field), secrets hidden for display, and turned into the right recogniser with the operator's environment.
import { describe, expect, it } from 'vitest';
import { AsrConfigError, createRecognizer, parseAsrConfig, redactAsrConfig } from './config.ts';
import { HttpJsonRecognizer } from './http-json.ts';
import { OpenAiRecognizer } from './openai.ts';
import { PocketSphinxRecognizer } from './pocketsphinx.ts';

function fieldOf(input: unknown, env = {}): string | undefined {
  try {
    parseAsrConfig(input, env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(AsrConfigError);
    return (err as AsrConfigError).field;
  }
}

describe('parseAsrConfig', () => {
  it('accepts each provider and builds the matching recogniser', () => {
    const a = parseAsrConfig({ provider: 'openai', language: 'en-US', baseUrl: 'http://127.0.0.1:8000/v1', model: 'large-v3', hints: ['Hotline'] });
    expect(createRecognizer(a)).toBeInstanceOf(OpenAiRecognizer);
    const b = parseAsrConfig({ provider: 'http', language: 'zh-CN', url: 'https://asr.example/v2', headers: { 'x-api-key': 's' }, response: { timeUnit: 'ms' } });
    expect(createRecognizer(b)).toBeInstanceOf(HttpJsonRecognizer);
    const c = parseAsrConfig({ provider: 'pocketsphinx', language: 'en', mode: 'grammar', hints: ['please reset my password'] });
    const r = createRecognizer(c);
    expect(r).toBeInstanceOf(PocketSphinxRecognizer);
    expect((r as PocketSphinxRecognizer).mode).toBe('grammar');
  });

  it.each([
    [null, '(settings)'],
    [{ language: 'en' }, 'provider'],
    [{ provider: 'sphinx4', language: 'en' }, 'provider'],
    [{ provider: 'pocketsphinx' }, 'language'],
    [{ provider: 'pocketsphinx', language: 'english!' }, 'language'],
    [{ provider: 'pocketsphinx', language: 'en', hints: 'a b' }, 'hints'],
    [{ provider: 'pocketsphinx', language: 'en', hints: ['ok', ''] }, 'hints.1'],
    [{ provider: 'pocketsphinx', language: 'en', mode: 'dictation' }, 'mode'],
    [{ provider: 'pocketsphinx', language: 'en', command: '/bin/rm' }, 'command'],
    [{ provider: 'pocketsphinx', language: 'en', timeoutMs: 5 }, 'timeoutMs'],
    [{ provider: 'openai', language: 'en' }, 'baseUrl'],
    [{ provider: 'openai', language: 'en', baseUrl: 'gopher://x' }, 'baseUrl'],
    [{ provider: 'openai', language: 'en', baseUrl: 'https://x/v1', uploadSampleRate: 11 }, 'uploadSampleRate'],
    [{ provider: 'http', language: 'en', url: 'https://x', headers: { 'bad header': 'v' } }, 'headers.bad header'],
    [{ provider: 'http', language: 'en', url: 'https://x', request: { audio: 'constructor' } }, 'request.audio'],
  ])('refuses %j naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('refuses a provider the operator does not offer', () => {
    expect(fieldOf({ provider: 'openai', language: 'en', baseUrl: 'https://x/v1' }, { allowedProviders: ['pocketsphinx'] })).toBe('provider');
  });

  it('a tenant cannot choose the command or model paths: they come from the environment', () => {
    const r = createRecognizer({ provider: 'pocketsphinx', language: 'en' }, { pocketsphinx: { command: '/opt/ps/bin/pocketsphinx_continuous' } });
    expect(r).toBeInstanceOf(PocketSphinxRecognizer);
  });
});

describe('redactAsrConfig', () => {
  it('hides the API key and header values and leaves the rest', () => {
    expect(redactAsrConfig({ provider: 'openai', language: 'en', baseUrl: 'https://x/v1', apiKey: 'sk-secret' })).toEqual({ provider: 'openai', language: 'en', baseUrl: 'https://x/v1', apiKey: '********' });
    const h = redactAsrConfig({ provider: 'http', language: 'en', url: 'https://x', headers: { authorization: 'Bearer t' } });
    expect(h).toMatchObject({ headers: { authorization: '********' } });
  });
});
