// Examples for the stereo call recorder: alignment on the media clock, pause, header refresh, and recovery after SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWavHeader, readWav } from '../codec/wav.ts';
import { ManualMediaClock } from './clock.ts';
import { RECORDER_DEFAULTS, StereoRecorder, recoverRecording } from './recorder.ts';

const frameOf = (f: (i: number) => number): Int16Array => Int16Array.from({ length: 160 }, (_, i) => f(i));

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotline-rec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function side(data: Int16Array, channel: 0 | 1, fromFrame: number, frames: number): number[] {
  const out: number[] = [];
  for (let f = fromFrame; f < fromFrame + frames; f++) out.push(data[2 * f + channel]);
  return out;
}

describe('StereoRecorder', () => {
  it('writes one stereo frame per tick: caller left, agent right, 8 kHz 16-bit', async () => {
    const clock = new ManualMediaClock();
    const path = join(dir, 'call.wav');
    const rec = await StereoRecorder.open(path, { clock });
    for (let t = 0; t < 25; t++) {
      rec.writeLeft(frameOf((i) => t * 1000 + i));
      rec.writeRight(frameOf((i) => -(t * 1000 + i)));
      clock.advance();
    }
    const info = await rec.close();
    expect(clock.size).toBe(0);
    expect(info).toMatchObject({ path, sampleRate: 8000, channels: 2, frames: 25 * 160, durationMs: 500 });
    const audio = readWav(await readFile(path));
    expect(audio).toMatchObject({ sampleRate: 8000, channels: 2, format: 'pcm', bitsPerSample: 16, frames: 4000 });
    expect(side(audio.data, 0, 160 * 7, 3)).toEqual([7000, 7001, 7002]);
    expect(side(audio.data, 1, 160 * 24 + 159, 1)).toEqual([-24159]);
  });

  it('records silence for a side without a frame on a tick, and the latest frame when two came', async () => {
    const clock = new ManualMediaClock();
    const path = join(dir, 'gaps.wav');
    const rec = await StereoRecorder.open(path, { clock });
    rec.writeLeft(frameOf(() => 1));
    clock.advance(); // right silent
    rec.writeRight(frameOf(() => 2));
    rec.writeRight(frameOf(() => 3));
    clock.advance(); // left silent, right = latest
    await rec.close();
    const { data } = readWav(await readFile(path));
    expect([data[0], data[1], data[320], data[321]]).toEqual([1, 0, 0, 3]);
  });

  it('writes silence while paused and records again after resume', async () => {
    const clock = new ManualMediaClock();
    const path = join(dir, 'pause.wav');
    const rec = await StereoRecorder.open(path, { clock });
    const feed = (): void => {
      rec.writeLeft(frameOf(() => 500));
      rec.writeRight(frameOf(() => 600));
    };
    feed();
    clock.advance();
    rec.pause();
    expect(rec.paused).toBe(true);
    for (let t = 0; t < 3; t++) {
      feed();
      clock.advance();
    }
    rec.resume();
    feed();
    clock.advance();
    await rec.close();
    const { data, frames } = readWav(await readFile(path));
    expect(frames).toBe(5 * 160);
    const perTick = [0, 1, 2, 3, 4].map((t) => [data[t * 320 + 10], data[t * 320 + 11]]);
    expect(perTick).toEqual([[500, 600], [0, 0], [0, 0], [0, 0], [500, 600]]);
  });

  it('fills ticks the clock skipped with silence, so the file keeps real-time length', async () => {
    const path = join(dir, 'skip.wav');
    const rec = await StereoRecorder.open(path);
    rec.writeLeft(frameOf(() => 9));
    rec.tick(20, 0);
    rec.writeLeft(frameOf(() => 9));
    rec.tick(120, 5); // ticks 1-4 skipped after a stall
    const info = await rec.close();
    expect(info.frames).toBe(6 * 160);
    const { data } = readWav(await readFile(path));
    expect([data[0], data[320 * 2], data[320 * 5]]).toEqual([9, 0, 9]);
  });

  it('refreshes the header sizes about every second while recording (crash safety)', async () => {
    expect(RECORDER_DEFAULTS.batchTicks * RECORDER_DEFAULTS.headerEveryBatches * 20).toBe(1000);
    const clock = new ManualMediaClock();
    const path = join(dir, 'live.wav');
    const rec = await StereoRecorder.open(path, { clock });
    clock.advance(49);
    await rec.drain();
    // 4 full batches on disk, header not refreshed yet.
    expect((await stat(path)).size).toBe(44 + 4 * 6400);
    expect(parseWavHeader(await readFile(path)).dataBytes).toBe(0);
    clock.advance(1);
    await rec.drain();
    const live = await readFile(path);
    expect(parseWavHeader(live).dataBytes).toBe(5 * 6400);
    expect(readWav(live).frames).toBe(8000);
    await rec.close();
    await rec.close();
    clock.advance(); // ticks after close are ignored
    expect(readWav(await readFile(path)).frames).toBe(8000);
  });

  it('leaves a properly closed file alone on recovery', async () => {
    const clock = new ManualMediaClock();
    const path = join(dir, 'ok.wav');
    const rec = await StereoRecorder.open(path, { clock });
    clock.advance(13);
    await rec.close();
    expect(await recoverRecording(path)).toMatchObject({ repaired: false, frames: 13 * 160, channels: 2, sampleRate: 8000 });
  });

  it('reports a write error once and rejects close with it', async () => {
    const errors: Error[] = [];
    const clock = new ManualMediaClock();
    // /dev/full accepts the open and fails every write with ENOSPC.
    const rec = await StereoRecorder.open('/dev/full', { clock, onError: (e) => errors.push(e) });
    clock.advance(20);
    await rec.drain();
    await expect(rec.close()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(errors).toHaveLength(1);
    expect(rec.error).toBe(errors[0]);
  });
});

describe('recoverRecording after the writer is killed mid-call', () => {
  it('SIGKILL after ~1.3 s: the file is readable up to its last header refresh, and fully after repair', async () => {
    const path = join(dir, 'killed.wav');
    const script = fileURLToPath(new URL('./testdata/record-child.ts', import.meta.url));
    const child = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('recording') && resolve());
      child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    const started = performance.now();
    // 1.3 s: six 200 ms batches are on disk, the header was last refreshed after the fifth.
    await new Promise((r) => setTimeout(r, 1300));
    child.kill('SIGKILL');
    const signal = await exited;
    const elapsedMs = performance.now() - started;
    expect(signal).toBe('SIGKILL');

    // Without repair the file already reads, up to the sizes of the last header refresh.
    const before = await readFile(path);
    const stale = readWav(before);
    expect(stale.channels).toBe(2);
    expect(stale.frames).toBeGreaterThan(0);
    expect(parseWavHeader(before).dataOffset + stale.frames * 4).toBeLessThan(before.length);

    const rec = await recoverRecording(path);
    expect(rec.repaired).toBe(true);
    // What was unreadable before repair is at most ~1 s (one header period plus a batch).
    expect(rec.durationMs - (stale.frames * 1000) / 8000).toBeLessThanOrEqual(1200);
    const audio = readWav(await readFile(path));
    expect(audio).toMatchObject({ sampleRate: 8000, channels: 2, bitsPerSample: 16 });
    expect(audio.frames).toBe(rec.frames);
    // At most one 200 ms batch is lost; the child may have run a little before "recording" was read.
    expect(rec.durationMs).toBeGreaterThan(elapsedMs - 450);
    expect(rec.durationMs).toBeLessThan(elapsedMs + 300);

    // Left is the 440 Hz caller tone at amplitude 8000, right the 1 kHz agent tone at 4000.
    const crossings = (ch: 0 | 1): number => {
      let n = 0;
      for (let f = 1; f < audio.frames; f++) if ((audio.data[2 * f + ch] >= 0) !== (audio.data[2 * (f - 1) + ch] >= 0)) n++;
      return (n / audio.frames) * 8000 / 2;
    };
    const peak = (ch: 0 | 1): number => Math.max(...side(audio.data, ch, 0, audio.frames).map(Math.abs));
    expect(crossings(0)).toBeGreaterThan(400);
    expect(crossings(0)).toBeLessThan(480);
    expect(crossings(1)).toBeGreaterThan(950);
    expect(crossings(1)).toBeLessThan(1050);
    expect(peak(0)).toBeGreaterThan(7900);
    expect(peak(1)).toBeGreaterThan(3900);
    expect(peak(1)).toBeLessThanOrEqual(4000);
  });
});
