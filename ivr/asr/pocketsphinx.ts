// Local, offline recogniser: Debian's `pocketsphinx_continuous` (CMU PocketSphinx 5prealpha) run as a child process on a 16 kHz WAV made with the band-limited resampler; free dictation with the n-gram model, or deterministic JSGF grammar (W3C JSpeech Grammar Format) / keyword-spotting modes built from per-tenant phrases.
//
// What runs, per request:
//
//   pcm (8 kHz) ──Resampler──▶ 16 kHz mono WAV in a private temp dir (+ grammar.jsgf or keywords.txt)
//   pocketsphinx_continuous -infile audio.wav -samprate 16000 -hmm … -dict … (-lm … | -jsgf … | -kws …) -time yes
//   stdout, per utterance (its voice-activity detector splits the audio at pauses):
//       please reset my password          ← hypothesis (keyword mode: the spotted phrases)
//       <sil> 1.880 2.280 1.000000         ← one line per word: word, start s, end s, confidence
//       please 2.290 2.620 1.000000
//       to(3) 6.840 6.950 1.000000         ← "(3)": the dictionary's 3rd pronunciation of "to"
//   → one segment per utterance (keyword mode: one per spotted phrase), times in ms from the start of the audio.
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkRequest, monoWav, primarySubtag, withDeadline } from './audio.ts';
import { AsrError } from './errors.ts';
import { joinSegments, type SpeechRecognizer, type TranscribeRequest, type TranscriptionResult, type TranscriptSegment } from './types.ts';

/** How the recogniser decodes: free dictation (n-gram language model), a grammar of whole sentences, or keyword spotting. */
export type PocketSphinxMode = 'lm' | 'grammar' | 'keywords';

/** The acoustic model, dictionary and language model of one language. */
export interface PocketSphinxModel {
  /** Acoustic model directory (`-hmm`). */
  hmm: string;
  /** Pronunciation dictionary (`-dict`). */
  dict: string;
  /** n-gram language model (`-lm`), for `lm` mode. */
  lm: string;
}

/** Options of {@link PocketSphinxRecognizer} (operator settings: tenants choose only the mode, language and phrases). */
export interface PocketSphinxOptions {
  /** The command. Default `pocketsphinx_continuous` (found on PATH; Debian installs it in /usr/bin). */
  command?: string;
  /** Models by primary language subtag. Default: `en` → Debian's `pocketsphinx-en-us` under /usr/share/pocketsphinx/model/en-us. */
  models?: Readonly<Record<string, PocketSphinxModel>>;
  /** Decoding mode; in `grammar` and `keywords` modes the request's `hints` are the sentences/keyphrases. Default `lm`. */
  mode?: PocketSphinxMode;
  /** Detection threshold of keyphrases without their own `/threshold/`. Default 1e-20. */
  keywordThreshold?: number;
  /** Time limit: fixed, or by default 30 s + 2 × the audio's duration. */
  timeoutMs?: number;
  /** Where private temp directories are made. Default `os.tmpdir()`. */
  tmpDir?: string;
  /** Largest stdout accepted. Default 8 MiB. */
  maxOutputBytes?: number;
}

/** Debian's English model (package `pocketsphinx-en-us`). */
export const DEBIAN_EN_US: Readonly<PocketSphinxModel> = Object.freeze({
  hmm: '/usr/share/pocketsphinx/model/en-us/en-us',
  dict: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
  lm: '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin',
});

/** Defaults of {@link PocketSphinxOptions}. */
export const POCKETSPHINX_DEFAULTS = Object.freeze({
  command: 'pocketsphinx_continuous',
  models: Object.freeze({ en: DEBIAN_EN_US }) as Readonly<Record<string, PocketSphinxModel>>,
  mode: 'lm' as PocketSphinxMode,
  keywordThreshold: 1e-20,
  maxOutputBytes: 8 << 20,
});

/** The rate the acoustic models are trained at. */
const MODEL_RATE = 16_000;
/** Most stderr kept to explain a failure. */
const STDERR_TAIL = 64 << 10;

const INSTALL_HINT = 'install the Debian packages pocketsphinx and pocketsphinx-en-us (apt-get install pocketsphinx pocketsphinx-en-us)';

/** Offline recognition with PocketSphinx. Runs one process per request; bound concurrency above it (the pipeline does). */
export class PocketSphinxRecognizer implements SpeechRecognizer {
  readonly name = 'pocketsphinx';
  readonly #command: string;
  readonly #models: Readonly<Record<string, PocketSphinxModel>>;
  readonly #mode: PocketSphinxMode;
  readonly #threshold: number;
  readonly #timeoutMs: number | undefined;
  readonly #tmpDir: string;
  readonly #maxOut: number;

  /** @throws {TypeError} naming an out-of-range option. */
  constructor(opts: PocketSphinxOptions = {}) {
    this.#command = opts.command ?? POCKETSPHINX_DEFAULTS.command;
    this.#models = opts.models ?? POCKETSPHINX_DEFAULTS.models;
    this.#mode = opts.mode ?? POCKETSPHINX_DEFAULTS.mode;
    this.#threshold = opts.keywordThreshold ?? POCKETSPHINX_DEFAULTS.keywordThreshold;
    this.#timeoutMs = opts.timeoutMs;
    this.#tmpDir = opts.tmpDir ?? os.tmpdir();
    this.#maxOut = opts.maxOutputBytes ?? POCKETSPHINX_DEFAULTS.maxOutputBytes;
    if (!['lm', 'grammar', 'keywords'].includes(this.#mode)) throw new TypeError('mode: must be lm, grammar or keywords');
    if (!(this.#threshold > 0 && this.#threshold < 1)) throw new TypeError('keywordThreshold: must be between 0 and 1');
    if (this.#timeoutMs !== undefined && !(this.#timeoutMs > 0)) throw new TypeError('timeoutMs: must be positive');
    if (typeof this.#command !== 'string' || this.#command.length === 0) throw new TypeError('command: must be a non-empty string');
  }

  /** The decoding mode. */
  get mode(): PocketSphinxMode {
    return this.#mode;
  }

  /**
   * Recognises `pcm`. In `grammar` mode `hints` are the sentences that may be said (each utterance is one or more of
   * them); in `keywords` mode the phrases spotted (`phrase` or `phrase /1e-30/`).
   * @throws {AsrError} `unsupported-language`, `bad-config` (empty grammar, words missing from the dictionary),
   *   `unavailable` (command or model missing), `timeout`, `aborted`, `recognizer-failed`.
   */
  async transcribe(req: TranscribeRequest): Promise<TranscriptionResult> {
    checkRequest(req, this.name);
    const lang = primarySubtag(req.language);
    const model = Object.hasOwn(this.#models, lang) ? this.#models[lang] : undefined;
    if (model === undefined) throw new AsrError('unsupported-language', `pocketsphinx: no model for language ${req.language} (have: ${Object.keys(this.#models).join(', ') || 'none'})`);
    await this.#checkModel(model);
    let search: { flag: string; file: string; text: string | undefined };
    if (this.#mode === 'grammar') search = { flag: '-jsgf', file: 'grammar.jsgf', text: buildJsgf(await checkedPhrases(req.hints, model.dict, 'grammar')) };
    else if (this.#mode === 'keywords') search = { flag: '-kws', file: 'keywords.txt', text: buildKeywordList(await checkedKeywords(req.hints, model.dict), this.#threshold) };
    else search = { flag: '-lm', file: model.lm, text: undefined };

    const audioMs = (req.pcm.length * 1000) / req.sampleRate;
    const timeoutMs = this.#timeoutMs ?? 30_000 + 2 * audioMs;
    const wav = await monoWav(req.pcm, req.sampleRate, MODEL_RATE, req.signal);
    const dir = await mkdtemp(path.join(this.#tmpDir, 'hotline-asr-'));
    try {
      const wavFile = path.join(dir, 'audio.wav');
      await writeFile(wavFile, wav, { mode: 0o600 });
      let searchFile = search.file;
      if (search.text !== undefined) {
        searchFile = path.join(dir, search.file);
        await writeFile(searchFile, search.text, { mode: 0o600 });
      }
      const args = ['-infile', wavFile, '-samprate', String(MODEL_RATE), '-hmm', model.hmm, '-dict', model.dict, search.flag, searchFile, '-time', 'yes'];
      const stdout = await this.#run(args, timeoutMs, req.signal);
      return parseContinuousOutput(stdout, this.#mode === 'keywords' ? 'keywords' : 'utterances');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #checkModel(model: PocketSphinxModel): Promise<void> {
    const need = [path.join(model.hmm, 'mdef'), model.dict, ...(this.#mode === 'lm' ? [model.lm] : [])];
    for (const f of need) {
      try {
        await access(f);
      } catch (err) {
        throw new AsrError('unavailable', `pocketsphinx: model file ${f} is missing; ${INSTALL_HINT}`, { cause: err });
      }
    }
  }

  /** Runs the command; resolves with stdout on exit 0. */
  #run(args: string[], timeoutMs: number, parent: AbortSignal | undefined): Promise<string> {
    return withDeadline(parent, timeoutMs, (signal, timedOut) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(this.#command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let outBytes = 0;
        let err = '';
        let settled = false;
        const finish = (e: AsrError | undefined, value?: string): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          if (e !== undefined) reject(e);
          else resolve(value ?? '');
        };
        const onAbort = (): void => {
          child.kill('SIGKILL');
          finish(timedOut() ? new AsrError('timeout', `pocketsphinx: no result within ${Math.round(timeoutMs)} ms`) : new AsrError('aborted', 'pocketsphinx: cancelled'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        child.stdout.on('data', (b: Buffer) => {
          outBytes += b.length;
          if (outBytes > this.#maxOut) {
            child.kill('SIGKILL');
            finish(new AsrError('recognizer-failed', `pocketsphinx: output exceeds ${this.#maxOut} bytes`));
          } else out.push(b);
        });
        child.stderr.on('data', (b: Buffer) => {
          err = (err + b.toString('utf8')).slice(-STDERR_TAIL);
        });
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') finish(new AsrError('unavailable', `pocketsphinx: command ${this.#command} not found; ${INSTALL_HINT}`, { cause: e }));
          else finish(new AsrError('recognizer-failed', `pocketsphinx: could not run ${this.#command}: ${e.message}`, { cause: e }));
        });
        child.on('close', (code, sig) => {
          if (code === 0) finish(undefined, Buffer.concat(out).toString('utf8'));
          else finish(new AsrError('recognizer-failed', `pocketsphinx: exited with ${code !== null ? `status ${code}` : `signal ${sig}`}${errorLines(err)}`));
        });
        if (signal.aborted) onAbort();
      }),
    );
  }
}

/** The ERROR/FATAL lines of pocketsphinx's log, for a failure message. */
function errorLines(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => /^(ERROR|FATAL)/.test(l)).slice(-3);
  return lines.length === 0 ? '' : `: ${lines.join(' | ').slice(0, 500)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Phrases, the dictionary, JSGF and keyword lists

/** Lower-case dictionary words of a phrase: `"Please, reset my password!"` → `please reset my password`. */
export function normalizePhrase(phrase: string): string {
  return phrase
    .toLowerCase()
    .replace(/[^a-z0-9'\-.]+/g, ' ')
    .split(' ')
    .map((w) => w.replace(/^['\-.]+|['\-.]+$/g, ''))
    .filter((w) => w.length > 0)
    .join(' ');
}

const dictionaries = new Map<string, Promise<ReadonlySet<string>>>();

/** The words of a pronunciation dictionary (variants `word(2)` folded), read once per file. @throws {AsrError} `unavailable`. */
export function dictionaryWords(file: string): Promise<ReadonlySet<string>> {
  let p = dictionaries.get(file);
  if (p === undefined) {
    p = readFile(file, 'utf8').then(
      (text) => {
        const words = new Set<string>();
        for (const line of text.split('\n')) {
          const sp = line.indexOf(' ');
          if (sp <= 0) continue;
          words.add(line.slice(0, sp).replace(/\(\d+\)$/, ''));
        }
        return words;
      },
      (err: unknown) => {
        dictionaries.delete(file);
        throw new AsrError('unavailable', `pocketsphinx: cannot read dictionary ${file}; ${INSTALL_HINT}`, { cause: err });
      },
    );
    dictionaries.set(file, p);
  }
  return p;
}

async function checkedPhrases(hints: readonly string[] | undefined, dict: string, what: string): Promise<string[]> {
  const phrases = [...new Set((hints ?? []).map(normalizePhrase).filter((p) => p.length > 0))];
  if (phrases.length === 0) throw new AsrError('bad-config', `pocketsphinx: ${what} mode needs at least one phrase in hints`);
  const words = await dictionaryWords(dict);
  const unknown = [...new Set(phrases.flatMap((p) => p.split(' ')).filter((w) => !words.has(w)))];
  if (unknown.length > 0) throw new AsrError('bad-config', `pocketsphinx: ${what} words not in the dictionary: ${unknown.slice(0, 20).join(', ')}`);
  return phrases;
}

/** A keyphrase and its detection threshold. */
export interface Keyphrase {
  phrase: string;
  threshold?: number;
}

/** Parses `phrase` or `phrase /1e-30/` (the keyword-list syntax). @throws {AsrError} `bad-config` for a bad threshold. */
export function parseKeyphrase(hint: string): Keyphrase {
  const m = /^(.*?)\s*\/([^/]*)\/\s*$/.exec(hint);
  if (m === null) return { phrase: normalizePhrase(hint) };
  const t = Number(m[2]);
  if (!(t > 0 && t < 1e3)) throw new AsrError('bad-config', `pocketsphinx: keyphrase threshold /${m[2]}/ is not a positive number`);
  return { phrase: normalizePhrase(m[1]), threshold: t };
}

async function checkedKeywords(hints: readonly string[] | undefined, dict: string): Promise<Keyphrase[]> {
  const kps = (hints ?? []).map(parseKeyphrase).filter((k) => k.phrase.length > 0);
  await checkedPhrases(
    kps.map((k) => k.phrase),
    dict,
    'keywords',
  );
  return kps;
}

/** A JSGF grammar where each utterance is one or more of `sentences` (already normalised dictionary words). */
export function buildJsgf(sentences: readonly string[]): string {
  return `#JSGF V1.0;\ngrammar hotline;\npublic <utterance> = <sentence>+;\n<sentence> = ${sentences.map((s) => `( ${s} )`).join('\n  | ')};\n`;
}

/** A keyword list: one `phrase /threshold/` per line. */
export function buildKeywordList(keyphrases: readonly Keyphrase[], defaultThreshold: number): string {
  return keyphrases.map((k) => `${k.phrase} /${(k.threshold ?? defaultThreshold).toExponential()}/\n`).join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/** A word-timing line: word (a keyphrase may hold spaces), start s, end s, confidence. */
const WORD_LINE = /^(\S.*?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;

/** Detections of one keyphrase closer than this are one occurrence (the spotter fires on consecutive frames). */
const KEYWORD_MERGE_GAP_MS = 100;

/** Fillers and sentence markers: `<s>`, `</s>`, `<sil>`, `[NOISE]`, `++NOISE++`. */
function isFiller(word: string): boolean {
  return /^(<.*>|\[.*\]|\+\+.*\+\+)$/.test(word);
}

/** A word without its pronunciation variant: `to(3)` → `to`. */
function bare(word: string): string {
  return word.replace(/\(\d+\)$/, '');
}

/**
 * Parses `pocketsphinx_continuous -time yes` output: `utterances` gives one segment per utterance (its hypothesis,
 * from its first to its last word); `keywords` one per spotted phrase, in time order, repeats of a phrase that
 * overlap or follow within 100 ms merged.
 */
export function parseContinuousOutput(stdout: string, kind: 'utterances' | 'keywords'): TranscriptionResult {
  interface Utt {
    hyp: string;
    words: { word: string; start: number; end: number }[];
  }
  const utts: Utt[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) {
      // an empty hypothesis (only fillers heard): its word lines must not join the previous utterance
      utts.push({ hyp: '', words: [] });
      continue;
    }
    const m = WORD_LINE.exec(line);
    if (m !== null && utts.length > 0) {
      utts[utts.length - 1].words.push({ word: m[1].trim(), start: Number(m[2]), end: Number(m[3]) });
    } else if (m === null) {
      utts.push({ hyp: line, words: [] });
    }
  }
  const segments: TranscriptSegment[] = [];
  if (kind === 'keywords') {
    const hits = utts
      .flatMap((u) => u.words)
      .map((w) => ({ text: w.word.split(/\s+/).map(bare).join(' '), startMs: Math.round(w.start * 1000), endMs: Math.round(w.end * 1000) }))
      .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
    for (const h of hits) {
      const prev = segments.findLast((s) => s.text === h.text);
      if (prev !== undefined && h.startMs <= prev.endMs + KEYWORD_MERGE_GAP_MS) prev.endMs = Math.max(prev.endMs, h.endMs);
      else segments.push({ ...h });
    }
    segments.sort((a, b) => a.startMs - b.startMs);
  } else {
    for (const u of utts) {
      const text = u.hyp
        .split(/\s+/)
        .filter((w) => !isFiller(w))
        .map(bare)
        .join(' ')
        .trim();
      if (text.length === 0) continue;
      const spoken = u.words.filter((w) => !isFiller(w.word));
      const timed = spoken.length > 0 ? spoken : u.words;
      const startMs = timed.length > 0 ? Math.round(Math.min(...timed.map((w) => w.start)) * 1000) : 0;
      const endMs = timed.length > 0 ? Math.round(Math.max(...timed.map((w) => w.end)) * 1000) : startMs;
      segments.push({ startMs, endMs, text });
    }
  }
  return { segments, text: joinSegments(segments) };
}
