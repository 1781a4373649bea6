// Crash-safe stereo call recorder: 8 kHz 16-bit PCM WAV, caller left and agent right, one frame per media-clock tick, header sizes refreshed as it goes.
import { close as fsClose, open as fsOpen, write as fsWrite } from 'node:fs';
import { endianness } from 'node:os';
import { repairWav, wavHeaderInto } from '../codec/wav.ts';
import type { WavSpec } from '../codec/wav.ts';
import type { MediaClock, Tickable } from './clock.ts';

/** Options of {@link StereoRecorder}. */
export interface RecorderOptions {
  /** Sample rate of the frames and the file. */
  sampleRate: number;
  /** Samples per side per tick (160 = 20 ms at 8 kHz). */
  frameSamples: number;
  /** Ticks gathered before one write to the file (10 × 20 ms = 200 ms): what a crash can lose outright. */
  batchTicks: number;
  /**
   * Batches between two rewrites of the header sizes (5 × 200 ms ≈ 1 s): how much audio a crash can
   * leave beyond the sizes in the header, unreadable until {@link recoverRecording} repairs the file.
   */
  headerEveryBatches: number;
  /** Longest gap of skipped clock ticks filled with silence (keeps both sides aligned with real time). */
  maxGapTicks: number;
  /** When given, the recorder subscribes itself on open and unsubscribes on close. */
  clock: MediaClock | undefined;
  /** Called once with the first write error (the recorder then stops writing). */
  onError: ((err: Error) => void) | undefined;
}

/** Defaults of {@link RecorderOptions}. */
export const RECORDER_DEFAULTS: Readonly<RecorderOptions> = Object.freeze({
  sampleRate: 8000,
  frameSamples: 160,
  batchTicks: 10,
  headerEveryBatches: 5,
  maxGapTicks: 250,
  clock: undefined,
  onError: undefined,
});

/** A finished or recovered recording. */
export interface RecordingInfo {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: 2;
  /** Stereo frames in the file. */
  readonly frames: number;
  readonly durationMs: number;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A batch buffer with its sample view, reused from a pool. */
interface Batch {
  readonly bytes: Buffer;
  readonly samples: Int16Array;
  length: number;
}

interface PendingWrite {
  readonly buffer: Buffer;
  readonly length: number;
  readonly position: number;
  /** Batch to give back to the pool once written (null for header writes). */
  readonly batch: Batch | null;
  /** Data bytes durably in the file once this write completes. */
  readonly dataEnd: number;
}

function openFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => fsOpen(path, 'w', 0o640, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/**
 * Records a two-party call as a stereo WAV: left = caller, right = agent. Decoded frames are handed in
 * with {@link writeLeft}/{@link writeRight} (the latest frame of each side wins); each media-clock tick
 * writes one stereo frame, with silence for a side that had no frame, so both sides stay aligned in time.
 *
 * Crash safety: audio goes to the open file in batches (positional writes, one in flight at a time),
 * and the RIFF/data sizes in the header are rewritten every `headerEveryBatches` batches. After a
 * crash the file is readable up to the last header refresh, and {@link recoverRecording} makes
 * everything that reached the file readable (a partial batch in memory is lost).
 *
 * Per tick the recorder copies into preallocated batch buffers and allocates nothing.
 */
export class StereoRecorder implements Tickable {
  readonly path: string;
  readonly #opts: RecorderOptions;
  readonly #spec: WavSpec;
  readonly #fd: number;
  readonly #headerLength: number;
  readonly #header: Buffer;
  readonly #left: Int16Array;
  readonly #right: Int16Array;
  #leftFresh = false;
  #rightFresh = false;
  #paused = false;
  #closed = false;
  #lastTick = -1;
  readonly #batchBytes: number;
  readonly #pool: Batch[] = [];
  #batch: Batch;
  /** Data bytes handed to the write queue. */
  #queuedBytes = 0;
  /** Data bytes known to be in the file. */
  #writtenBytes = 0;
  #batchesSinceHeader = 0;
  readonly #queue: PendingWrite[] = [];
  #writing = false;
  #error: Error | null = null;
  #drainWaiters: Array<() => void> = [];
  #closing: Promise<RecordingInfo> | null = null;

  private constructor(path: string, fd: number, opts: RecorderOptions) {
    this.path = path;
    this.#opts = opts;
    this.#fd = fd;
    this.#spec = { sampleRate: opts.sampleRate, channels: 2, format: 'pcm' };
    this.#header = Buffer.alloc(44);
    this.#headerLength = wavHeaderInto(this.#header, 0, this.#spec, 0);
    this.#left = new Int16Array(opts.frameSamples);
    this.#right = new Int16Array(opts.frameSamples);
    this.#batchBytes = opts.batchTicks * opts.frameSamples * 4;
    this.#pool.push(this.#newBatch(), this.#newBatch());
    this.#batch = this.#pool.pop() as Batch;
  }

  /**
   * Creates (truncates) the file, writes a header with empty sizes and, with a clock, starts recording
   * on its next tick.
   *
   * @throws {TypeError} for invalid options; the open error if the file cannot be created.
   */
  static async open(path: string, options: Partial<RecorderOptions> = {}): Promise<StereoRecorder> {
    const opts: RecorderOptions = { ...RECORDER_DEFAULTS, ...options };
    for (const k of ['sampleRate', 'frameSamples', 'batchTicks', 'headerEveryBatches'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new TypeError(`${k} must be a positive integer`);
    }
    if (!Number.isInteger(opts.maxGapTicks) || opts.maxGapTicks < 0) throw new TypeError('maxGapTicks must be a non-negative integer');
    const fd = await openFile(path);
    const rec = new StereoRecorder(path, fd, opts);
    rec.#enqueue({ buffer: rec.#header, length: rec.#headerLength, position: 0, batch: null, dataEnd: 0 });
    opts.clock?.add(rec);
    return rec;
  }

  #newBatch(): Batch {
    const bytes = Buffer.alloc(this.#batchBytes);
    return { bytes, samples: new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2), length: 0 };
  }

  /** Whether pause() is in effect. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Stereo frames recorded so far (including silence and frames not yet on disk). */
  get frames(): number {
    return (this.#queuedBytes + this.#batch.length) / 4;
  }

  /** Recorded duration so far, ms. */
  get durationMs(): number {
    return (this.frames * 1000) / this.#opts.sampleRate;
  }

  /** The first write error, if any (the recorder stopped writing then). */
  get error(): Error | null {
    return this.#error;
  }

  /** Sets the caller's (left) frame for the next tick; copied. Ignored while paused or closed. */
  writeLeft(frame: Int16Array): void {
    if (this.#paused || this.#closed) return;
    copyFrame(this.#left, frame);
    this.#leftFresh = true;
  }

  /** Sets the agent's (right) frame for the next tick; copied. Ignored while paused or closed. */
  writeRight(frame: Int16Array): void {
    if (this.#paused || this.#closed) return;
    copyFrame(this.#right, frame);
    this.#rightFresh = true;
  }

  /** Records silence on both sides from the next tick on (e.g. while a caller reads out a card number). */
  pause(): void {
    this.#paused = true;
    this.#leftFresh = false;
    this.#rightFresh = false;
  }

  /** Records the sides again. */
  resume(): void {
    this.#paused = false;
  }

  /**
   * One 20 ms slot: appends a stereo frame of the latest frame of each side (silence for a side that
   * had none, or while paused). A jump in `tickIndex` (ticks the clock skipped after a stall) is filled
   * with up to `maxGapTicks` frames of silence so the recording keeps real-time length.
   */
  tick(_now: number, tickIndex: number): void {
    if (this.#closed) return;
    if (this.#lastTick >= 0 && tickIndex > this.#lastTick + 1) {
      const gap = Math.min(tickIndex - this.#lastTick - 1, this.#opts.maxGapTicks);
      for (let g = 0; g < gap; g++) this.#append(null, null);
    }
    this.#lastTick = tickIndex;
    this.#append(this.#leftFresh ? this.#left : null, this.#rightFresh ? this.#right : null);
    this.#leftFresh = false;
    this.#rightFresh = false;
  }

  #append(left: Int16Array | null, right: Int16Array | null): void {
    const n = this.#opts.frameSamples;
    const b = this.#batch;
    const base = b.length / 2;
    if (LITTLE_ENDIAN_HOST) {
      const s = b.samples;
      for (let i = 0, j = base; i < n; i++, j += 2) {
        s[j] = left === null ? 0 : left[i];
        s[j + 1] = right === null ? 0 : right[i];
      }
    } else {
      for (let i = 0, p = b.length; i < n; i++, p += 4) {
        b.bytes.writeInt16LE(left === null ? 0 : left[i], p);
        b.bytes.writeInt16LE(right === null ? 0 : right[i], p + 2);
      }
    }
    b.length += n * 4;
    if (b.length === this.#batchBytes) this.#submitBatch();
  }

  #submitBatch(): void {
    const b = this.#batch;
    if (b.length === 0) return;
    const position = this.#headerLength + this.#queuedBytes;
    this.#queuedBytes += b.length;
    this.#enqueue({ buffer: b.bytes, length: b.length, position, batch: b, dataEnd: this.#queuedBytes });
    this.#batch = this.#pool.pop() ?? this.#newBatch();
    this.#batch.length = 0;
    if (++this.#batchesSinceHeader >= this.#opts.headerEveryBatches) {
      this.#batchesSinceHeader = 0;
      this.#enqueueHeader();
    }
  }

  #enqueueHeader(): void {
    // The header is filled when its turn comes, with the data size known to be written by then.
    this.#enqueue({ buffer: this.#header, length: this.#headerLength, position: 0, batch: null, dataEnd: -1 });
  }

  #enqueue(w: PendingWrite): void {
    if (this.#error !== null) {
      if (w.batch !== null) this.#pool.push(w.batch);
      return;
    }
    this.#queue.push(w);
    if (!this.#writing) this.#next();
  }

  #next(): void {
    const w = this.#queue.shift();
    if (w === undefined || this.#error !== null) {
      this.#writing = false;
      this.#queue.length = 0;
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    this.#writing = true;
    if (w.batch === null) wavHeaderInto(this.#header, 0, this.#spec, this.#writtenBytes);
    fsWrite(this.#fd, w.buffer, 0, w.length, w.position, (err) => {
      if (err) this.#fail(err);
      else if (w.dataEnd >= 0) this.#writtenBytes = w.dataEnd;
      if (w.batch !== null) this.#pool.push(w.batch);
      this.#next();
    });
  }

  #fail(err: Error): void {
    if (this.#error !== null) return;
    this.#error = err;
    try {
      this.#opts.onError?.(err);
    } catch {
      // A throwing handler must not break the write loop.
    }
  }

  /** Resolves when every write handed to the file so far has completed. */
  drain(): Promise<void> {
    if (!this.#writing && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * Stops recording: unsubscribes from the clock, writes the partial batch and the final header, and
   * closes the file. Idempotent (later calls return the same promise).
   *
   * @throws the first write error, after the file is closed.
   */
  close(): Promise<RecordingInfo> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<RecordingInfo> {
    this.#closed = true;
    this.#opts.clock?.remove(this);
    this.#submitBatch();
    this.#enqueueHeader();
    await this.drain();
    await new Promise<void>((resolve) => fsClose(this.#fd, () => resolve()));
    if (this.#error !== null) throw this.#error;
    const frames = this.#writtenBytes / 4;
    return { path: this.path, sampleRate: this.#opts.sampleRate, channels: 2, frames, durationMs: (frames * 1000) / this.#opts.sampleRate };
  }
}

function copyFrame(dst: Int16Array, src: Int16Array): void {
  if (src.length >= dst.length) dst.set(src.length === dst.length ? src : src.subarray(0, dst.length));
  else {
    dst.set(src);
    dst.fill(0, src.length);
  }
}

/** A recovered recording: what {@link recoverRecording} found. */
export interface RecoveredRecording extends Omit<RecordingInfo, 'channels'> {
  readonly channels: number;
  /** Whether the file needed repair (it was cut off by a crash). */
  readonly repaired: boolean;
}

/**
 * Makes a recording cut off by a crash readable: sets the WAV sizes from the file length and drops a
 * trailing partial frame (see repairWav). A file closed properly is left as it is.
 *
 * @throws {WavError} if the file has no valid header; the file system error if it cannot be opened.
 */
export async function recoverRecording(path: string): Promise<RecoveredRecording> {
  const r = await repairWav(path);
  return {
    path,
    sampleRate: r.info.sampleRate,
    channels: r.info.channels,
    frames: r.frames,
    durationMs: r.durationMs,
    repaired: r.changed,
  };
}
