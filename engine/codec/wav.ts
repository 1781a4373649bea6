// WAV files: RIFF/WAVE header read and write, PCM/float/G.711 sample decoding, and repair of files cut off mid-write (RIFF, Microsoft WAVE; RFC 2361 format tags).
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';

/*
 * A canonical file, little-endian throughout:
 *
 *   offset  size  field
 *   0       4     "RIFF"
 *   4       4     RIFF size = file length − 8
 *   8       4     "WAVE"
 *   12      4     "fmt "        then chunk size 16 (PCM) or 18 (G.711, with cbSize = 0)
 *   20      2     format tag    1 PCM, 3 IEEE float, 6 A-law, 7 μ-law, 0xFFFE extensible
 *   22      2     channels
 *   24      4     sample rate
 *   28      4     byte rate     = rate × block align
 *   32      2     block align   = channels × bytes per sample (one frame)
 *   34      2     bits per sample
 *   [G.711: 36 cbSize=0, then "fact" chunk: 4-byte sample frame count]
 *   …       4     "data", 4 data size, then the interleaved frames
 *
 * Chunks are word-aligned: an odd-sized chunk is followed by a pad byte. Unknown chunks (LIST, bext,
 * JUNK…) are skipped. A file cut off while being written has stale RIFF and data sizes; repairWav
 * rewrites them from the file length.
 */

/** Format tags of the fmt chunk (RFC 2361 Appendix A). */
export const WAVE_FORMAT = Object.freeze({ PCM: 1, IEEE_FLOAT: 3, ALAW: 6, MULAW: 7, EXTENSIBLE: 0xfffe });

/** Sample encoding of a WAV file. */
export type WavFormat = 'pcm' | 'float' | 'alaw' | 'mulaw';

/** Why a WAV file could not be read or repaired. */
export type WavErrorCode =
  /** Does not start with "RIFF". */
  | 'not-riff'
  /** RIFF form type is not "WAVE". */
  | 'not-wave'
  /** Ends before the header or the declared data. */
  | 'truncated'
  /** fmt chunk too short or with impossible values (0 channels, rate 0…). */
  | 'bad-fmt'
  /** A format tag or sample size we do not decode. */
  | 'unsupported-format'
  /** data chunk before any fmt chunk. */
  | 'no-fmt'
  /** No data chunk. */
  | 'no-data'
  /** Data beyond the 4 GiB a RIFF size field can describe. */
  | 'too-large';

/** The one error this module throws for bad files. Assert on `code`. */
export class WavError extends Error {
  readonly code: WavErrorCode;
  constructor(code: WavErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WavError';
    this.code = code;
  }
}

/** What the header says, with the position of the audio. */
export interface WavInfo {
  readonly format: WavFormat;
  /** The tag as written (for extensible files, the tag of the sub-format GUID). */
  readonly formatTag: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  /** Bytes per frame (all channels of one sample instant). */
  readonly blockAlign: number;
  /** Offset of the first audio byte. */
  readonly dataOffset: number;
  /** Data size declared by the data chunk header. */
  readonly dataBytes: number;
  /** Offset of the fact chunk's sample-count field, or -1 when there is no fact chunk. */
  readonly factOffset: number;
}

/** Decoded audio. */
export interface WavAudio {
  readonly sampleRate: number;
  readonly channels: number;
  /** Encoding of the file (the samples are always returned as 16-bit PCM). */
  readonly format: WavFormat;
  readonly bitsPerSample: number;
  /** Number of frames (samples per channel). */
  readonly frames: number;
  /** Interleaved 16-bit samples, `frames × channels` long. */
  readonly data: Int16Array;
}

/** The format of a file to write: 16-bit PCM or 8-bit G.711. */
export interface WavSpec {
  readonly sampleRate: number;
  readonly channels: number;
  /** `pcm` writes 16-bit samples; `alaw`/`mulaw` 8-bit G.711 codes. */
  readonly format: 'pcm' | 'alaw' | 'mulaw';
}

/** Options of {@link readWav}. */
export interface ReadWavOptions {
  /** Read the data present when the data chunk claims more bytes than the file has, instead of throwing. */
  allowTruncated: boolean;
}

/** Defaults of {@link ReadWavOptions}. */
export const READ_WAV_DEFAULTS: Readonly<ReadWavOptions> = Object.freeze({ allowTruncated: false });

const MAX_CHANNELS = 64;
const MAX_U32 = 0xffffffff;
/** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs (the first two hold the format tag). */
const SUBFORMAT_SUFFIX = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function fourcc(buf: Buffer, at: number): string {
  return buf.toString('latin1', at, at + 4);
}

/**
 * Walks the chunks up to the data chunk. `total` is the length of the whole file when `buf` holds
 * only its head (repair of a file on disk); otherwise the buffer length.
 */
function walkHeader(buf: Buffer, total: number = buf.length): WavInfo {
  if (buf.length < 12) {
    const want = Buffer.from('RIFF', 'latin1');
    const head = buf.subarray(0, Math.min(4, buf.length));
    if (head.length === 0 || want.subarray(0, head.length).equals(head)) throw new WavError('truncated', `file of ${buf.length} bytes has no RIFF header`);
    throw new WavError('not-riff', 'not a RIFF file');
  }
  if (fourcc(buf, 0) !== 'RIFF') throw new WavError('not-riff', 'not a RIFF file');
  if (fourcc(buf, 8) !== 'WAVE') throw new WavError('not-wave', `RIFF form type is "${fourcc(buf, 8)}", not WAVE`);
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'factOffset'> | null = null;
  let factOffset = -1;
  let at = 12;
  for (;;) {
    if (at + 8 > buf.length) {
      if (buf.length < total && at + 8 <= total) throw new WavError('truncated', 'header larger than the part read');
      if (at === total) throw new WavError('no-data', 'no data chunk before the end of the file');
      throw new WavError('truncated', 'file ends inside a chunk');
    }
    const id = fourcc(buf, at);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'data') {
      if (fmt === null) throw new WavError('no-fmt', 'data chunk before the fmt chunk');
      return { ...fmt, dataOffset: body, dataBytes: size, factOffset };
    }
    if (id === 'fmt ') {
      if (size < 16) throw new WavError('bad-fmt', `fmt chunk of ${size} bytes`);
      if (body + size > buf.length) throw new WavError('truncated', 'fmt chunk cut off');
      fmt = readFmt(buf, body, size);
    } else if (id === 'fact' && size >= 4) {
      factOffset = body;
    }
    at = body + size + (size & 1);
  }
}

function readFmt(buf: Buffer, at: number, size: number): Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'factOffset'> {
  let tag = buf.readUInt16LE(at);
  const channels = buf.readUInt16LE(at + 2);
  const sampleRate = buf.readUInt32LE(at + 4);
  const bitsPerSample = buf.readUInt16LE(at + 14);
  if (channels === 0 || channels > MAX_CHANNELS) throw new WavError('bad-fmt', `${channels} channels`);
  if (sampleRate === 0) throw new WavError('bad-fmt', 'sample rate 0');
  if (tag === WAVE_FORMAT.EXTENSIBLE) {
    // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) subFormat GUID(16).
    if (size < 40 || buf.readUInt16LE(at + 16) < 22) throw new WavError('bad-fmt', 'extensible fmt chunk too short');
    const guid = buf.subarray(at + 24, at + 40);
    if (!guid.subarray(2).equals(SUBFORMAT_SUFFIX)) throw new WavError('unsupported-format', 'unknown extensible sub-format GUID');
    tag = guid.readUInt16LE(0);
  }
  let format: WavFormat;
  if (tag === WAVE_FORMAT.PCM && (bitsPerSample === 8 || bitsPerSample === 16 || bitsPerSample === 24 || bitsPerSample === 32)) format = 'pcm';
  else if (tag === WAVE_FORMAT.IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) format = 'float';
  else if (tag === WAVE_FORMAT.ALAW && bitsPerSample === 8) format = 'alaw';
  else if (tag === WAVE_FORMAT.MULAW && bitsPerSample === 8) format = 'mulaw';
  else throw new WavError('unsupported-format', `format tag ${tag} with ${bitsPerSample} bits per sample`);
  return { format, formatTag: tag, sampleRate, channels, bitsPerSample, blockAlign: channels * (bitsPerSample / 8) };
}

/**
 * Reads the header of a WAV file: format, rate, channels and where the data is. Skips unknown chunks.
 *
 * @throws {WavError} `not-riff`, `not-wave`, `truncated`, `bad-fmt`, `unsupported-format`, `no-fmt`, `no-data`.
 */
export function parseWavHeader(buf: Uint8Array): WavInfo {
  return walkHeader(asBuffer(buf));
}

/**
 * Reads a WAV file into interleaved 16-bit samples. Accepts PCM (8, 16, 24, 32 bits), IEEE float (32,
 * 64 bits), A-law (tag 6) and μ-law (tag 7), plain or WAVE_FORMAT_EXTENSIBLE, any rate and channel
 * count. A trailing partial frame is ignored.
 *
 * @throws {WavError} as {@link parseWavHeader}, and `truncated` when the data chunk claims more bytes
 *   than the file holds (unless `allowTruncated`).
 */
export function readWav(input: Uint8Array, options: Partial<ReadWavOptions> = {}): WavAudio {
  const opts = { ...READ_WAV_DEFAULTS, ...options };
  const buf = asBuffer(input);
  const info = walkHeader(buf);
  let bytes = info.dataBytes;
  if (info.dataOffset + bytes > buf.length) {
    if (!opts.allowTruncated) {
      throw new WavError('truncated', `data chunk declares ${bytes} bytes, the file holds ${buf.length - info.dataOffset}`);
    }
    bytes = buf.length - info.dataOffset;
  }
  const frames = Math.floor(bytes / info.blockAlign);
  const data = decodeSamples(buf, info, frames * info.channels);
  return { sampleRate: info.sampleRate, channels: info.channels, format: info.format, bitsPerSample: info.bitsPerSample, frames, data };
}

function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

function decodeSamples(buf: Buffer, info: WavInfo, count: number): Int16Array {
  const out = new Int16Array(count);
  const at = info.dataOffset;
  switch (info.format) {
    case 'pcm':
      switch (info.bitsPerSample) {
        case 8:
          for (let i = 0; i < count; i++) out[i] = (buf[at + i] - 128) << 8;
          break;
        case 16:
          if (LITTLE_ENDIAN_HOST) new Uint8Array(out.buffer).set(buf.subarray(at, at + count * 2));
          else for (let i = 0; i < count; i++) out[i] = buf.readInt16LE(at + 2 * i);
          break;
        case 24:
          for (let i = 0, p = at; i < count; i++, p += 3) out[i] = (buf[p + 2] << 24 >> 16) | buf[p + 1];
          break;
        default:
          for (let i = 0; i < count; i++) out[i] = buf.readInt32LE(at + 4 * i) >> 16;
      }
      break;
    case 'float':
      for (let i = 0; i < count; i++) {
        const v = info.bitsPerSample === 32 ? buf.readFloatLE(at + 4 * i) : buf.readDoubleLE(at + 8 * i);
        out[i] = Number.isNaN(v) ? 0 : clamp16(Math.round(v * 32768));
      }
      break;
    case 'alaw': {
      const table = alawTable();
      for (let i = 0; i < count; i++) out[i] = table[buf[at + i]];
      break;
    }
    case 'mulaw': {
      const table = mulawTable();
      for (let i = 0; i < count; i++) out[i] = table[buf[at + i]];
      break;
    }
  }
  return out;
}

// G.711 expansion (ITU-T G.711 §§ A-law and μ-law decoding), only to read G.711 WAV files here;
// the media path has its own tables in engine/codec.
let alaw: Int16Array | null = null;
let mulaw: Int16Array | null = null;

function alawTable(): Int16Array {
  if (alaw === null) {
    alaw = new Int16Array(256);
    for (let code = 0; code < 256; code++) {
      const a = code ^ 0x55;
      const segment = (a >> 4) & 0x07;
      let magnitude = ((a & 0x0f) << 4) + 8;
      if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
      alaw[code] = a & 0x80 ? magnitude : -magnitude;
    }
  }
  return alaw;
}

function mulawTable(): Int16Array {
  if (mulaw === null) {
    mulaw = new Int16Array(256);
    for (let code = 0; code < 256; code++) {
      const u = ~code & 0xff;
      const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
      mulaw[code] = u & 0x80 ? -magnitude : magnitude;
    }
  }
  return mulaw;
}

function checkSpec(spec: WavSpec): void {
  if (!Number.isInteger(spec.sampleRate) || spec.sampleRate < 1 || spec.sampleRate > MAX_U32) throw new TypeError('sampleRate must be a positive integer');
  if (!Number.isInteger(spec.channels) || spec.channels < 1 || spec.channels > MAX_CHANNELS) throw new TypeError(`channels must be an integer in 1..${MAX_CHANNELS}`);
  if (spec.format !== 'pcm' && spec.format !== 'alaw' && spec.format !== 'mulaw') throw new TypeError('format must be pcm, alaw or mulaw');
}

/** Length of the header {@link wavHeaderInto} writes: 44 bytes for PCM, 58 for G.711 (fmt + fact). */
export function wavHeaderLength(spec: WavSpec): number {
  return spec.format === 'pcm' ? 44 : 58;
}

/**
 * Writes a canonical header for `dataBytes` bytes of audio at `offset` and returns the bytes
 * written. Streaming writers write it once with 0 and rewrite it (same length) as data is added.
 *
 * @throws {TypeError} for an invalid spec, a buffer too small, or `dataBytes` beyond 4 GiB.
 */
export function wavHeaderInto(buf: Uint8Array, offset: number, spec: WavSpec, dataBytes: number): number {
  checkSpec(spec);
  const length = wavHeaderLength(spec);
  if (!Number.isInteger(offset) || offset < 0 || offset + length > buf.length) throw new TypeError(`buffer needs ${length} bytes at offset`);
  const pad = dataBytes & 1;
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || length - 8 + dataBytes + pad > MAX_U32) throw new TypeError('dataBytes out of range');
  const b = asBuffer(buf);
  const bits = spec.format === 'pcm' ? 16 : 8;
  const blockAlign = spec.channels * (bits / 8);
  b.write('RIFF', offset, 'latin1');
  b.writeUInt32LE(length - 8 + dataBytes + pad, offset + 4);
  b.write('WAVE', offset + 8, 'latin1');
  b.write('fmt ', offset + 12, 'latin1');
  b.writeUInt32LE(spec.format === 'pcm' ? 16 : 18, offset + 16);
  b.writeUInt16LE(spec.format === 'pcm' ? WAVE_FORMAT.PCM : spec.format === 'alaw' ? WAVE_FORMAT.ALAW : WAVE_FORMAT.MULAW, offset + 20);
  b.writeUInt16LE(spec.channels, offset + 22);
  b.writeUInt32LE(spec.sampleRate, offset + 24);
  b.writeUInt32LE((spec.sampleRate * blockAlign) >>> 0, offset + 28);
  b.writeUInt16LE(blockAlign, offset + 32);
  b.writeUInt16LE(bits, offset + 34);
  let at = offset + 36;
  if (spec.format !== 'pcm') {
    b.writeUInt16LE(0, at); // cbSize
    b.write('fact', at + 2, 'latin1');
    b.writeUInt32LE(4, at + 6);
    b.writeUInt32LE(Math.floor(dataBytes / blockAlign), at + 10);
    at += 14;
  }
  b.write('data', at, 'latin1');
  b.writeUInt32LE(dataBytes, at + 4);
  return length;
}

/** A new header buffer for `dataBytes` bytes of audio (see {@link wavHeaderInto}). */
export function wavHeader(spec: WavSpec, dataBytes: number): Buffer {
  const buf = Buffer.alloc(wavHeaderLength(spec));
  wavHeaderInto(buf, 0, spec, dataBytes);
  return buf;
}

/**
 * A complete 16-bit PCM WAV file from interleaved samples.
 *
 * @throws {TypeError} if the sample count is not a multiple of `channels`.
 */
export function writeWav(audio: { sampleRate: number; channels: number; data: Int16Array }): Buffer {
  const spec: WavSpec = { sampleRate: audio.sampleRate, channels: audio.channels, format: 'pcm' };
  if (audio.data.length % audio.channels !== 0) throw new TypeError('data length must be a multiple of channels');
  const header = wavHeaderLength(spec);
  const out = Buffer.alloc(header + audio.data.length * 2);
  wavHeaderInto(out, 0, spec, audio.data.length * 2);
  if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(audio.data.buffer, audio.data.byteOffset, audio.data.byteLength), header);
  else for (let i = 0; i < audio.data.length; i++) out.writeInt16LE(audio.data[i], header + 2 * i);
  return out;
}

/** What {@link repairWav} found and did. */
export interface WavRepairResult {
  /** Whether any size field was rewritten or bytes were dropped. */
  readonly changed: boolean;
  readonly info: WavInfo;
  /** Audio bytes kept (whole frames only). */
  readonly dataBytes: number;
  readonly frames: number;
  readonly durationMs: number;
  /** Length of the repaired file (header + data + pad byte if the data size is odd). */
  readonly length: number;
}

interface RepairPlan {
  readonly result: WavRepairResult;
  /** The size fields to write: [offset, value]. */
  readonly writes: ReadonlyArray<readonly [number, number]>;
}

/**
 * Plans the repair of a file whose head is `head` and whose full length is `total`. A file is left
 * alone when its RIFF size matches its length and its data fits; otherwise everything after the data
 * chunk header is taken as audio (a streaming writer writes the data chunk last), cut down to whole
 * frames, and the RIFF, data and fact sizes are set from it.
 */
function planRepair(head: Buffer, total: number): RepairPlan {
  const info = walkHeader(head, total);
  const riffSize = head.readUInt32LE(4);
  const declaredEnd = info.dataOffset + info.dataBytes;
  if (riffSize + 8 === total && declaredEnd <= total && info.dataBytes % info.blockAlign === 0) {
    const frames = info.dataBytes / info.blockAlign;
    return {
      result: { changed: false, info, dataBytes: info.dataBytes, frames, durationMs: (frames * 1000) / info.sampleRate, length: total },
      writes: [],
    };
  }
  const available = Math.max(0, total - info.dataOffset);
  const frames = Math.floor(available / info.blockAlign);
  const dataBytes = frames * info.blockAlign;
  const pad = dataBytes & 1;
  const newRiff = info.dataOffset - 8 + dataBytes + pad;
  if (newRiff > MAX_U32) throw new WavError('too-large', 'data beyond 4 GiB cannot be described in a RIFF header');
  const writes: Array<readonly [number, number]> = [
    [4, newRiff],
    [info.dataOffset - 4, dataBytes],
  ];
  if (info.factOffset >= 0 && info.format !== 'pcm') writes.push([info.factOffset, frames]);
  const length = info.dataOffset + dataBytes + pad;
  const changed = newRiff !== riffSize || dataBytes !== info.dataBytes || length !== total
    || (info.factOffset >= 0 && info.format !== 'pcm' && head.readUInt32LE(info.factOffset) !== frames);
  return {
    result: { changed, info: { ...info, dataBytes }, dataBytes, frames, durationMs: (frames * 1000) / info.sampleRate, length },
    writes,
  };
}

/**
 * Repairs, in place, a WAV image cut off mid-write: sets the RIFF, data (and fact) sizes from the
 * buffer length, dropping a trailing partial frame. The repaired file is `buf.subarray(0, result.length)`
 * (when the data size is odd, the pad byte at `length − 1` is set to 0 if the buffer has room).
 *
 * @throws {WavError} if the header itself (up to the data chunk header) is missing or invalid.
 */
export function repairWavBuffer(input: Uint8Array): WavRepairResult {
  const buf = asBuffer(input);
  const plan = planRepair(buf, buf.length);
  for (const [at, value] of plan.writes) buf.writeUInt32LE(value, at);
  if (plan.result.dataBytes & 1 && plan.result.length <= buf.length) buf[plan.result.length - 1] = 0;
  return plan.result;
}

/** Largest header region read from disk when repairing (LIST chunks before data included). */
const REPAIR_HEAD_BYTES = 1 << 20;

/**
 * Repairs a WAV file or buffer cut off mid-write (a crash of the recorder): the RIFF, data (and fact)
 * sizes are set from the file length, truncated to a whole frame, and the file is truncated to match.
 * A consistent file is left untouched (`changed: false`). Buffers are repaired in place.
 *
 * @throws {WavError} if the header (up to the data chunk header) is missing or invalid.
 */
export async function repairWav(input: string | Uint8Array): Promise<WavRepairResult> {
  if (typeof input !== 'string') return repairWavBuffer(input);
  const fh = await open(input, 'r+');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, REPAIR_HEAD_BYTES));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const plan = planRepair(head.subarray(0, bytesRead), size);
    if (!plan.result.changed) return plan.result;
    const field = Buffer.alloc(4);
    for (const [at, value] of plan.writes) {
      field.writeUInt32LE(value, 0);
      await fh.write(field, 0, 4, at);
    }
    const end = plan.result.info.dataOffset + plan.result.dataBytes;
    await fh.truncate(end);
    if (plan.result.length > end) await fh.write(Buffer.alloc(1), 0, 1, end);
    await fh.sync();
    return plan.result;
  } finally {
    await fh.close();
  }
}
