// The durable queue across a real crash on both store backends: a worker process is killed (SIGKILL) while it holds a job; after the store is reopened, the job is taken again when the lost worker's lease ends and completes with exactly one transcript message.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWriter } from '../events/index.ts';
import { openStore, type StoreOptions } from '../store/index.ts';
import { BACKENDS, useBackend } from '../testing.ts';
import { TranscriptionJobsRepo } from './repo.ts';
import { ScriptedTranscriber, seedCall, until } from './testing.ts';
import { TranscriptionWorker } from './worker.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-pipeline-crash-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the crash child until it has claimed the job, then kills it. */
async function crashWhileClaimed(storeOptions: StoreOptions, recordingId: string, leaseMs: number): Promise<void> {
  const script = fileURLToPath(new URL('./testdata/crash-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--no-warnings', script, JSON.stringify({ storeOptions, dataDir, recordingId, leaseMs })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await until(() => out.includes('claimed') || child.exitCode !== null, 15_000);
    if (!out.includes('claimed')) throw new Error(`crash child ended early: ${err}`);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

describe.each(BACKENDS)('transcription queue across a crash on %s', (backend) => {
  const h = useBackend(backend);

  it('a job held by a killed worker is completed after restart, once its lease ends', async () => {
    const storeOptions: StoreOptions = backend === 'sqlite' ? { file: path.join(dataDir, 'crash.db') } : await h.freshOptions();
    let store = await openStore(storeOptions);
    const s = await seedCall(store, dataDir);
    await store.close();

    const leaseMs = 600;
    await crashWhileClaimed(storeOptions, s.recordingId, leaseMs);

    store = await openStore(storeOptions);
    const jobs = new TranscriptionJobsRepo(store);
    const t = new ScriptedTranscriber();
    const w = new TranscriptionWorker(store, new EventWriter(store), { transcribe: t.transcribe, dataDir, catchUpWindowMs: 0, pollMs: 100 });
    try {
      const [held] = (await jobs.list(s.tenantId)).items;
      expect(held).toMatchObject({ status: 'running', attempts: 1, recordingId: s.recordingId });
      w.start();
      await until(async () => (await jobs.get(s.tenantId, held.id))?.status === 'done', 10_000);
      const done = await jobs.get(s.tenantId, held.id);
      expect(done).toMatchObject({ status: 'done', attempts: 2 });
      expect(t.calls).toHaveLength(1);
      const msgs = await store.conversations.messages(s.tenantId, s.customer);
      expect(msgs.items.map((m) => m.id)).toEqual([done?.messageId]);
    } finally {
      await w.close();
      await store.close();
    }
  });
});
