// Examples for WAV read/write/repair (RIFF WAVE; format tags of RFC 2361 Appendix A; G.711 expansion).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import g711 from 'g711';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WavErrorCode } from './wav.ts';
import {
  WavError,
  parseWavHeader,
  readWav,
  repairWav,
  repairWavBuffer,
  wavHeader,
  wavHeaderInto,
  wavHeaderLength,
  writeWav,
} from './wav.ts';

function expectWavError(fn: () => unknown, code: WavErrorCode): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WavError);
    expect((err as WavError).code).toBe(code);
    return;
  }
  throw new Error(`expected WavError ${code}`);
}

/** Builds a RIFF file from chunks, adding pad bytes after odd-sized ones. */
function riff(chunks: Array<[string, Buffer]>, form = 'WAVE'): Buffer {
  const parts: Buffer[] = [Buffer.from(form, 'latin1')];
  for (const [id, body] of chunks) {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(body.length, 4);
    parts.push(h, body);
    if (body.length & 1) parts.push(Buffer.alloc(1));
  }
  const payload = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, extra?: Buffer): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return extra ? Buffer.concat([b, extra]) : b;
}

describe('WAV header (RIFF WAVE)', () => {
  it('writes the canonical 44-byte PCM header', () => {
    const h = wavHeader({ sampleRate: 8000, channels: 2, format: 'pcm' }, 64000);
    expect(h.toString('hex')).toBe(
      [
        '52494646', // RIFF
        '24fa0000', // 36 + 64000
        '57415645', // WAVE
        '666d7420', // fmt
        '10000000', // 16
        '0100', // PCM
        '0200', // 2 channels
        '401f0000', // 8000 Hz
        '007d0000', // 32000 bytes/s
        '0400', // block align 4
        '1000', // 16 bits
        '64617461', // data
        '00fa0000', // 64000
      ].join(''),
    );
  });

  it('writes G.711 headers with cbSize and a fact chunk (58 bytes), read back as alaw/mulaw', () => {
    for (const format of ['alaw', 'mulaw'] as const) {
      const spec = { sampleRate: 8000, channels: 1, format };
      expect(wavHeaderLength(spec)).toBe(58);
      const file = Buffer.concat([wavHeader(spec, 160), Buffer.alloc(160, 0xd5)]);
      const info = parseWavHeader(file);
      expect(info).toMatchObject({ format, formatTag: format === 'alaw' ? 6 : 7, bitsPerSample: 8, dataOffset: 58, dataBytes: 160 });
      expect(file.readUInt32LE(info.factOffset)).toBe(160);
      expect(file.readUInt32LE(4)).toBe(file.length - 8);
    }
  });

  it('writes into a caller buffer at an offset and returns the bytes written', () => {
    const buf = Buffer.alloc(100, 0xee);
    expect(wavHeaderInto(buf, 10, { sampleRate: 16000, channels: 1, format: 'pcm' }, 0)).toBe(44);
    expect(buf.subarray(10, 14).toString('latin1')).toBe('RIFF');
    expect(buf[9]).toBe(0xee);
    expect(buf[54]).toBe(0xee);
    expect(() => wavHeaderInto(Buffer.alloc(40), 0, { sampleRate: 8000, channels: 1, format: 'pcm' }, 0)).toThrow(TypeError);
    expect(() => wavHeader({ sampleRate: 8000, channels: 0, format: 'pcm' }, 0)).toThrow(/channels/);
  });
});

describe('readWav', () => {
  it('reads back what writeWav wrote (stereo 8 kHz)', () => {
    const data = Int16Array.from({ length: 320 }, (_, i) => (i * 997) % 65536 - 32768);
    const audio = readWav(writeWav({ sampleRate: 8000, channels: 2, data }));
    expect(audio).toMatchObject({ sampleRate: 8000, channels: 2, format: 'pcm', bitsPerSample: 16, frames: 160 });
    expect(audio.data).toEqual(data);
  });

  it('decodes all 256 μ-law and A-law codes like the g711 package (ITU-T G.711)', () => {
    const codes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const [format, decode] of [
      ['alaw', g711.alawToPCM],
      ['mulaw', g711.ulawToPCM],
    ] as const) {
      const file = Buffer.concat([wavHeader({ sampleRate: 8000, channels: 1, format }, 256), codes]);
      expect(Array.from(readWav(file).data)).toEqual(Array.from(decode(new Uint8Array(codes), 16)));
    }
    const mu = readWav(Buffer.concat([wavHeader({ sampleRate: 8000, channels: 1, format: 'mulaw' }, 3), Buffer.from([0xff, 0x00, 0x80])]));
    expect(Array.from(mu.data)).toEqual([0, -32124, 32124]);
  });

  it('reads 8-bit unsigned, 24-bit, 32-bit PCM and 32/64-bit float', () => {
    const u8 = riff([['fmt ', fmt(1, 1, 11025, 8)], ['data', Buffer.from([0, 128, 255])]]);
    expect(Array.from(readWav(u8).data)).toEqual([-32768, 0, 32512]);
    const s24 = riff([['fmt ', fmt(1, 1, 48000, 24)], ['data', Buffer.from([0x00, 0x34, 0x12, 0xff, 0xff, 0xff, 0x00, 0x00, 0x80])]]);
    expect(Array.from(readWav(s24).data)).toEqual([0x1234, -1, -32768]);
    const s32 = Buffer.alloc(8);
    s32.writeInt32LE(0x12345678, 0);
    s32.writeInt32LE(-0x80000000, 4);
    expect(Array.from(readWav(riff([['fmt ', fmt(1, 1, 8000, 32)], ['data', s32]])).data)).toEqual([0x1234, -32768]);
    const f32 = Buffer.alloc(16);
    [0.5, -1, 2, Number.NaN].forEach((v, i) => f32.writeFloatLE(v, 4 * i));
    const float = readWav(riff([['fmt ', fmt(3, 2, 44100, 32)], ['data', f32]]));
    expect(float).toMatchObject({ format: 'float', channels: 2, frames: 2 });
    expect(Array.from(float.data)).toEqual([16384, -32768, 32767, 0]);
    const f64 = Buffer.alloc(8);
    f64.writeDoubleLE(-0.25, 0);
    expect(Array.from(readWav(riff([['fmt ', fmt(3, 1, 8000, 64)], ['data', f64]])).data)).toEqual([-8192]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a PCM sub-format GUID', () => {
    const ext = Buffer.alloc(24);
    ext.writeUInt16LE(22, 0); // cbSize
    ext.writeUInt16LE(16, 2); // valid bits
    ext.writeUInt32LE(0x3, 4); // FL | FR
    Buffer.from('01000000000010008000 00aa00389b71'.replace(' ', ''), 'hex').copy(ext, 8);
    const samples = Buffer.alloc(8);
    samples.writeInt16LE(1000, 0);
    samples.writeInt16LE(-1000, 2);
    const file = riff([['fmt ', fmt(0xfffe, 2, 8000, 16, ext)], ['data', samples]]);
    const a = readWav(file);
    expect(a).toMatchObject({ format: 'pcm', channels: 2, frames: 2 });
    expect(Array.from(a.data)).toEqual([1000, -1000, 0, 0]);
    Buffer.from('02000000', 'hex').copy(file, 20 + 24); // sub-format ADPCM
    expectWavError(() => readWav(file), 'unsupported-format');
  });

  it('skips LIST and odd-sized unknown chunks (with their pad byte)', () => {
    const data = Buffer.alloc(4);
    data.writeInt16LE(-7, 0);
    data.writeInt16LE(7, 2);
    const file = riff([
      ['LIST', Buffer.from('INFOISFT\x05\x00\x00\x00test\x00\x00', 'latin1')],
      ['fmt ', fmt(1, 1, 8000, 16)],
      ['junk', Buffer.from('odd')],
      ['fact', Buffer.from([2, 0, 0, 0])],
      ['data', data],
    ]);
    expect(Array.from(readWav(file).data)).toEqual([-7, 7]);
  });

  it('ignores a trailing partial frame', () => {
    const file = riff([['fmt ', fmt(1, 2, 8000, 16)], ['data', Buffer.alloc(10)]]);
    expect(readWav(file).frames).toBe(2);
  });
});

describe('readWav refuses malformed files with a typed WavError', () => {
  const good = writeWav({ sampleRate: 8000, channels: 1, data: new Int16Array(80) });
  const cases: Array<[string, () => Buffer, WavErrorCode]> = [
    ['not RIFF', () => Buffer.from('RIFX\x00\x00\x00\x00WAVE', 'latin1'), 'not-riff'],
    ['an MP3', () => Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'not-riff'],
    ['RIFF but AVI', () => riff([], 'AVI '), 'not-wave'],
    ['empty', () => Buffer.alloc(0), 'truncated'],
    ['cut inside the RIFF header', () => good.subarray(0, 7), 'truncated'],
    ['cut inside the fmt chunk', () => good.subarray(0, 30), 'truncated'],
    ['cut inside the data chunk header', () => good.subarray(0, 40), 'truncated'],
    ['cut inside the data', () => good.subarray(0, 100), 'truncated'],
    ['0 channels', () => riff([['fmt ', fmt(1, 0, 8000, 16)], ['data', Buffer.alloc(2)]]), 'bad-fmt'],
    ['sample rate 0', () => riff([['fmt ', fmt(1, 1, 0, 16)], ['data', Buffer.alloc(2)]]), 'bad-fmt'],
    ['fmt chunk of 12 bytes', () => riff([['fmt ', fmt(1, 1, 8000, 16).subarray(0, 12)], ['data', Buffer.alloc(2)]]), 'bad-fmt'],
    ['MS ADPCM (tag 2)', () => riff([['fmt ', fmt(2, 1, 8000, 4)], ['data', Buffer.alloc(2)]]), 'unsupported-format'],
    ['12-bit PCM', () => riff([['fmt ', fmt(1, 1, 8000, 12)], ['data', Buffer.alloc(2)]]), 'unsupported-format'],
    ['data before fmt', () => riff([['data', Buffer.alloc(2)], ['fmt ', fmt(1, 1, 8000, 16)]]), 'no-fmt'],
    ['no data chunk', () => riff([['fmt ', fmt(1, 1, 8000, 16)]]), 'no-data'],
  ];
  for (const [title, make, code] of cases) it(`${title} → ${code}`, () => expectWavError(() => readWav(make()), code));

  it('reads what is there when allowTruncated is set', () => {
    expect(readWav(good.subarray(0, 100), { allowTruncated: true }).frames).toBe(28);
  });
});

describe('repairWav: files cut off mid-write', () => {
  const samples = Int16Array.from({ length: 2 * 800 }, (_, i) => ((i * 31) % 2000) - 1000);
  const whole = writeWav({ sampleRate: 8000, channels: 2, data: samples });

  it('sets RIFF and data sizes from the length and drops a partial frame', () => {
    // A streaming writer's state after a crash: header still says 0 bytes, data cut mid-frame.
    const cut = Buffer.from(whole.subarray(0, 44 + 4 * 300 + 3));
    cut.writeUInt32LE(36, 4);
    cut.writeUInt32LE(0, 40);
    expect(readWav(cut).frames).toBe(0);
    const r = repairWavBuffer(cut);
    expect(r).toMatchObject({ changed: true, frames: 300, dataBytes: 1200, length: 44 + 1200, durationMs: 37.5 });
    const repaired = readWav(cut.subarray(0, r.length));
    expect(repaired.data).toEqual(samples.subarray(0, 600));
    expect(cut.readUInt32LE(4)).toBe(r.length - 8);
  });

  it('shrinks a data size that claims more than was written', () => {
    const cut = Buffer.from(whole.subarray(0, 44 + 400));
    expectWavError(() => readWav(cut), 'truncated');
    expect(repairWavBuffer(cut).frames).toBe(100);
    expect(readWav(cut).frames).toBe(100);
  });

  it('leaves a consistent file alone', () => {
    const copy = Buffer.from(whole);
    expect(repairWavBuffer(copy)).toMatchObject({ changed: false, frames: 800 });
    expect(copy.equals(whole)).toBe(true);
  });

  it('updates the fact chunk of a G.711 file', () => {
    const spec = { sampleRate: 8000, channels: 1, format: 'mulaw' as const };
    const cut = Buffer.concat([wavHeader(spec, 0), Buffer.alloc(333, 0xff)]);
    const r = repairWavBuffer(cut);
    expect(r.frames).toBe(333);
    expect(cut.readUInt32LE(parseWavHeader(cut).factOffset)).toBe(333);
    expect(readWav(cut.subarray(0, r.length)).frames).toBe(333);
  });

  it('cannot repair a file cut inside its header', () => {
    expectWavError(() => repairWavBuffer(Buffer.from(whole.subarray(0, 30))), 'truncated');
    expectWavError(() => repairWavBuffer(Buffer.from('hello world, not a wav')), 'not-riff');
  });

  describe('on disk', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotline-wav-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('rewrites the sizes in place and truncates the file to whole frames', async () => {
      const path = join(dir, 'cut.wav');
      const cut = Buffer.from(whole.subarray(0, 44 + 4 * 500 + 2));
      cut.writeUInt32LE(0, 40);
      await writeFile(path, cut);
      const r = await repairWav(path);
      expect(r).toMatchObject({ changed: true, frames: 500 });
      expect((await stat(path)).size).toBe(44 + 2000);
      const audio = readWav(await readFile(path));
      expect(audio.frames).toBe(500);
      expect(audio.data).toEqual(samples.subarray(0, 1000));
      expect((await repairWav(path)).changed).toBe(false);
    });

    it('throws WavError for a file without a header', async () => {
      const path = join(dir, 'empty.wav');
      await writeFile(path, Buffer.alloc(0));
      await expect(repairWav(path)).rejects.toMatchObject({ name: 'WavError', code: 'truncated' });
    });
  });
});
