// The local recogniser: output parsing on captured `pocketsphinx_continuous -time yes` output, JSGF and keyword lists, and the real Debian pocketsphinx on Flite speech (grammar, keyword and n-gram modes), with missing binaries/models, timeouts and cancellation as typed AsrErrors.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsrError } from './errors.ts';
import { buildJsgf, buildKeywordList, normalizePhrase, parseContinuousOutput, parseKeyphrase, PocketSphinxRecognizer } from './pocketsphinx.ts';
import { speak } from './testing/speech.ts';

// Captured from Debian's pocketsphinx 0.8+5prealpha+1-15 on two Flite sentences with pauses (grammar mode, -time yes).
const GRAMMAR_OUTPUT = `please reset my password
<sil> 1.880 2.280 1.000000
please 2.290 2.620 1.000000
reset 2.630 3.130 1.000000
my 3.140 3.330 1.000000
password 3.340 3.910 1.000000
<sil> 3.920 4.330 1.000000
i would like to pay my bill
<sil> 6.100 6.200 1.000000
i 6.210 6.350 1.000000
would 6.360 6.550 1.000000
like 6.560 6.830 1.000000
to(3) 6.840 6.950 1.000000
pay 6.960 7.210 1.000000
my 7.220 7.440 1.000000
bill 7.450 7.680 1.000000
<sil> 7.690 8.110 1.000000
`;
// The same audio in keyword mode (-kws, threshold 1e-30): detections come newest first, with repeats.
const KEYWORD_OUTPUT = `bill  bill  bill 
bill  3.920 4.010 0.806441
bill  3.820 3.910 0.808298
bill  2.070 2.160 0.808540
bill 
bill  7.440 7.680 0.870040
`;

const SENTENCES = ['Please reset my password.', 'I would like to pay my bill.', 'Your order has been shipped today.', 'Hello, how can I help you?'];

async function failure(p: Promise<unknown>): Promise<AsrError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AsrError);
  return err as AsrError;
}

describe('pocketsphinx output and inputs', () => {
  it('one segment per utterance, from its first to its last word, without fillers or pronunciation variants', () => {
    expect(parseContinuousOutput(GRAMMAR_OUTPUT, 'utterances')).toEqual({
      segments: [
        { startMs: 2290, endMs: 3910, text: 'please reset my password' },
        { startMs: 6210, endMs: 7680, text: 'i would like to pay my bill' },
      ],
      text: 'please reset my password i would like to pay my bill',
    });
  });

  it('keyword detections in time order, repeats within 100 ms merged', () => {
    const r = parseContinuousOutput(KEYWORD_OUTPUT, 'keywords');
    expect(r.segments).toEqual([
      { startMs: 2070, endMs: 2160, text: 'bill' },
      { startMs: 3820, endMs: 4010, text: 'bill' },
      { startMs: 7440, endMs: 7680, text: 'bill' },
    ]);
  });

  it('word lines after an empty hypothesis do not join the previous utterance', () => {
    const r = parseContinuousOutput('hello\nhello 0.100 0.500 1.0\n\n<sil> 5.000 9.000 1.0\n', 'utterances');
    expect(r.segments).toEqual([{ startMs: 100, endMs: 500, text: 'hello' }]);
  });

  it('empty output is no segments', () => {
    expect(parseContinuousOutput('', 'utterances')).toEqual({ segments: [], text: '' });
  });

  it('phrases become dictionary words; the grammar takes one or more sentences per utterance (JSGF V1.0)', () => {
    expect(normalizePhrase('  Hello, how can I help you?! ')).toBe('hello how can i help you');
    expect(normalizePhrase("It's a well-known \"fact\".")).toBe("it's a well-known fact");
    const g = buildJsgf(['please reset my password', 'hello']);
    expect(g).toContain('public <utterance> = <sentence>+;');
    expect(g).toContain('<sentence> = ( please reset my password )\n  | ( hello );');
  });

  it('keyphrases take an optional /threshold/', () => {
    expect(parseKeyphrase('Reset my password /1e-30/')).toEqual({ phrase: 'reset my password', threshold: 1e-30 });
    expect(parseKeyphrase('refund')).toEqual({ phrase: 'refund' });
    expect(() => parseKeyphrase('refund /abc/')).toThrow(AsrError);
    expect(buildKeywordList([{ phrase: 'refund' }, { phrase: 'bill', threshold: 1e-10 }], 1e-20)).toBe('refund /1e-20/\nbill /1e-10/\n');
  });
});

describe('pocketsphinx_continuous (real, offline)', () => {
  let reset: Int16Array;
  let bill: Int16Array;
  let tmp: string;

  beforeAll(async () => {
    reset = await speak(SENTENCES[0]);
    bill = await speak(SENTENCES[1]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'hotline-ps-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** `pcm` with `ms` of silence before and after. */
  const padded = (pcm: Int16Array, ms: number): Int16Array => {
    const pad = (8000 * ms) / 1000;
    const out = new Int16Array(pcm.length + 2 * pad);
    out.set(pcm, pad);
    return out;
  };

  it('grammar mode recognises a Flite sentence among four, 8 kHz upsampled to 16 kHz', async () => {
    const ps = new PocketSphinxRecognizer({ mode: 'grammar' });
    const r = await ps.transcribe({ pcm: padded(reset, 500), sampleRate: 8000, language: 'en-US', hints: SENTENCES });
    expect(r.text).toBe('please reset my password');
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0].startMs).toBeGreaterThanOrEqual(400);
    expect(r.segments[0].endMs).toBeLessThanOrEqual(500 + (reset.length / 8) + 100);
  });

  it('grammar mode gives one time-stamped segment per utterance', async () => {
    const both = new Int16Array(8000 * 1 + reset.length + 8000 * 2 + bill.length + 8000);
    both.set(reset, 8000);
    const billAt = 8000 + reset.length + 16000;
    both.set(bill, billAt);
    const r = await new PocketSphinxRecognizer({ mode: 'grammar' }).transcribe({ pcm: both, sampleRate: 8000, language: 'en', hints: SENTENCES });
    expect(r.segments.map((s) => s.text)).toEqual(['please reset my password', 'i would like to pay my bill']);
    expect(Math.abs(r.segments[1].startMs - billAt / 8)).toBeLessThan(400);
  });

  it('keyword mode spots the phrase that was said and not the others', async () => {
    const r = await new PocketSphinxRecognizer({ mode: 'keywords' }).transcribe({ pcm: padded(bill, 300), sampleRate: 8000, language: 'en', hints: ['bill', 'refund'] });
    expect(r.segments.map((s) => s.text)).toContain('bill');
    expect(r.segments.map((s) => s.text)).not.toContain('refund');
  });

  it('n-gram (free dictation) mode transcribes a plain sentence once live CMN has adapted on a first utterance', async () => {
    // Flite's synthetic voice is far from the acoustic model's training speakers: the first utterance of a cold
    // decoder comes out as noise words, the next one is right (pocketsphinx updates its cepstral mean after each).
    const both = new Int16Array(8000 + reset.length + 16000 + bill.length + 8000);
    both.set(reset, 8000);
    both.set(bill, 8000 + reset.length + 16000);
    const r = await new PocketSphinxRecognizer().transcribe({ pcm: both, sampleRate: 8000, language: 'en' });
    expect(r.segments).toHaveLength(2);
    expect(r.segments[1].text).toBe('i would like to pay my bill');
  });

  it('silence gives no segments', async () => {
    const r = await new PocketSphinxRecognizer({ mode: 'grammar' }).transcribe({ pcm: new Int16Array(16000), sampleRate: 8000, language: 'en', hints: SENTENCES });
    expect(r.segments).toEqual([]);
  });

  it('grammar words missing from the dictionary are a bad-config error naming no retry', async () => {
    const e = await failure(new PocketSphinxRecognizer({ mode: 'grammar' }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en', hints: ['reset my zqxwvpassword'] }));
    expect(e).toMatchObject({ code: 'bad-config', retryable: false });
    const empty = await failure(new PocketSphinxRecognizer({ mode: 'keywords' }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en' }));
    expect(empty.code).toBe('bad-config');
  });

  it('a language without a model is unsupported-language', async () => {
    const e = await failure(new PocketSphinxRecognizer().transcribe({ pcm: reset, sampleRate: 8000, language: 'fr-FR' }));
    expect(e).toMatchObject({ code: 'unsupported-language', retryable: false });
  });

  it('a missing command or model is unavailable, not retryable', async () => {
    const noCmd = await failure(new PocketSphinxRecognizer({ command: path.join(tmp, 'no-such-pocketsphinx') }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en' }));
    expect(noCmd).toMatchObject({ code: 'unavailable', retryable: false });
    const noModel = await failure(
      new PocketSphinxRecognizer({ models: { en: { hmm: path.join(tmp, 'none'), dict: path.join(tmp, 'none.dict'), lm: path.join(tmp, 'none.lm') } } }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en' }),
    );
    expect(noModel).toMatchObject({ code: 'unavailable', retryable: false });
  });

  it('a hung recogniser is killed at the time limit (timeout, retryable); a cancelled one is aborted', async () => {
    const hang = path.join(tmp, 'hang.sh');
    await writeFile(hang, '#!/bin/sh\nexec sleep 30\n');
    await chmod(hang, 0o755);
    const t0 = Date.now();
    const e = await failure(new PocketSphinxRecognizer({ command: hang, timeoutMs: 200 }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - t0).toBeLessThan(3000);
    const ac = new AbortController();
    const p = new PocketSphinxRecognizer({ command: hang }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en', signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect(await failure(p)).toMatchObject({ code: 'aborted', retryable: false });
  });

  it('a recogniser that exits non-zero is recognizer-failed (retryable)', async () => {
    const bad = path.join(tmp, 'fail.sh');
    await writeFile(bad, '#!/bin/sh\necho "ERROR: \\"x.c\\", line 1: broken" >&2\nexit 3\n');
    await chmod(bad, 0o755);
    const e = await failure(new PocketSphinxRecognizer({ command: bad }).transcribe({ pcm: reset, sampleRate: 8000, language: 'en' }));
    expect(e).toMatchObject({ code: 'recognizer-failed', retryable: true });
  });
});
