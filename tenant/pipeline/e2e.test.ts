// After the call, end to end without network: a stereo recording where the customer (left) and the agent (right) say known sentences (Flite), queued when ready, recognised per channel by the local pocketsphinx in grammar mode chosen by the tenant's settings, saved as a call_transcript message and read back through the admin API.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallTranscriber } from '../../ivr/asr/index.ts';
import { speak, stereoRecording } from '../../ivr/asr/testing/speech.ts';
import { buildAdminApi } from '../api/index.ts';
import { EventWriter } from '../events/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { TranscriptionJobsRepo, TranscriptionSettingsRepo } from './repo.ts';
import { transcriptionRoutes } from './routes.ts';
import { seedCall, until } from './testing.ts';
import { TranscriptionWorker } from './worker.ts';

const TOKEN = 'operator-token-0123456789';
const SENTENCES = ['hello how can i help you', 'please reset my password', 'your order has been shipped today', 'i would like to pay my bill', 'thank you goodbye'];

let store: Store;
let dataDir: string;
let app: FastifyInstance;
let worker: TranscriptionWorker;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-pipeline-e2e-'));
  store = await openStore({ file: path.join(dataDir, 'hotline.db') });
  const events = new EventWriter(store);
  worker = new TranscriptionWorker(store, events, {
    dataDir,
    catchUpWindowMs: 0,
    // server default: free dictation; the tenant below picks grammar mode with its own sentences
    transcribe: createCallTranscriber({ defaults: { provider: 'pocketsphinx', language: 'en-US' } }),
  });
  app = await buildAdminApi({ store, adminToken: TOKEN, dataDir, routes: [transcriptionRoutes({ wake: () => worker.wake() })] });
  worker.start();
});
afterAll(async () => {
  await worker.close();
  await app.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('recording → per-speaker recognition → message', () => {
  it('the customer\'s and the agent\'s sentences end up as labelled lines of a call_transcript message in the conversation', async () => {
    const wav = stereoRecording(10_000, [
      { speaker: 'agent', atMs: 300, pcm: await speak('Hello, how can I help you?') },
      { speaker: 'customer', atMs: 2800, pcm: await speak('Please reset my password.') },
      { speaker: 'agent', atMs: 5600, pcm: await speak('Your order has been shipped today.') },
      { speaker: 'customer', atMs: 8200, pcm: await speak('Thank you, goodbye.') },
    ]);
    const s = await seedCall(store, dataDir, wav);
    await new TranscriptionSettingsRepo(store).put(s.tenantId, { provider: 'pocketsphinx', language: 'en-US', mode: 'grammar', hints: SENTENCES });

    const job = await worker.enqueueTranscription(s.recordingId);
    const jobs = new TranscriptionJobsRepo(store);
    await until(async () => ['done', 'failed'].includes((await jobs.get(s.tenantId, job.id))?.status ?? ''), 20_000);
    expect(await jobs.get(s.tenantId, job.id)).toMatchObject({ status: 'done', lastError: null });

    const r = await app.inject({ method: 'GET', url: `/api/v1/tenants/${s.tenantId}/conversations/${encodeURIComponent(s.customer)}/messages`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.statusCode).toBe(200);
    const items = (JSON.parse(r.body) as { items: { kind: string; callId: string; body: { lines: { speaker: string; text: string; startMs: number }[]; recordingId: string; speakers: unknown[] } }[] }).items;
    const msg = items.find((m) => m.kind === 'call_transcript');
    expect(msg).toBeDefined();
    expect(msg?.callId).toBe(s.callId);
    expect(msg?.body.recordingId).toBe(s.recordingId);
    const lines = msg!.body.lines;
    const said = (who: string) => lines.filter((l) => l.speaker === who).map((l) => l.text).join(' | ');
    expect(said('customer')).toContain('reset my password');
    expect(said('customer')).toContain('goodbye');
    expect(said('agent')).toContain('how can i help you');
    expect(said('agent')).toContain('shipped today');
    expect(lines.map((l) => l.speaker)).toEqual(['agent', 'customer', 'agent', 'customer']);
    expect(lines.map((l) => l.startMs)).toEqual([...lines.map((l) => l.startMs)].sort((a, b) => a - b));
  });
});
