// The pipeline's admin API routes through buildAdminApi's `routes` option (DESIGN.md §3): list/get jobs with filters, retry only failed jobs (409 otherwise), transcription on demand, tenant isolation, settings checked by ivr/asr with secrets hidden, and the routes in the OpenAPI document.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAsrConfig, redactAsrConfig, type AsrConfig } from '../../ivr/asr/index.ts';
import { buildAdminApi } from '../api/index.ts';
import { openStore, type JsonObject, type Store } from '../store/index.ts';
import { TranscriptionJobsRepo, TranscriptionSettingsRepo } from './repo.ts';
import { transcriptionRoutes } from './routes.ts';
import { seedCall, seedRecording } from './testing.ts';

const TOKEN = 'operator-token-0123456789';
let app: FastifyInstance;
let store: Store;
let dataDir: string;
let wakes = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-pipeline-api-'));
  store = await openStore({ file: ':memory:' });
  app = await buildAdminApi({
    store,
    adminToken: TOKEN,
    dataDir,
    routes: [
      transcriptionRoutes({
        wake: () => wakes++,
        // the composition root's codec: ivr/asr checks settings and hides their secrets
        settings: { validate: (input) => parseAsrConfig(input) as unknown as JsonObject, redact: (s) => redactAsrConfig(s as unknown as AsrConfig) as unknown as JsonObject },
      }),
    ],
  });
});
afterAll(async () => {
  await app.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, token = TOKEN) {
  const r = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: r.body.length > 0 ? (JSON.parse(r.body) as Record<string, any>) : {} }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
}

describe('transcription routes', () => {
  it('lists and shows jobs, filters by status, and retries only a failed job', async () => {
    const s = await seedCall(store, dataDir);
    const other = await seedRecording(store, dataDir, s.tenantId, s.agentId);
    const jobs = new TranscriptionJobsRepo(store);
    const { job } = await jobs.enqueue(s.recordingId);
    const { job: failing } = await jobs.enqueue(other.recordingId);
    const c = await jobs.claim(failing.id, store.now(), store.now() + 1000);
    await jobs.attemptFailed(failing.id, c!.token, { code: 'unauthorized', error: 'openai: HTTP 401 (bad key)', retryAt: null });

    const list = await call('GET', `/api/v1/tenants/${s.tenantId}/transcriptions`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((j: { id: string }) => j.id)).toEqual([failing.id, job.id]);
    const failed = await call('GET', `/api/v1/tenants/${s.tenantId}/transcriptions?status=failed`);
    expect(failed.body.items).toEqual([expect.objectContaining({ id: failing.id, status: 'failed', lastErrorCode: 'unauthorized', lastError: 'openai: HTTP 401 (bad key)', attempts: 1 })]);
    expect((await call('GET', `/api/v1/tenants/${s.tenantId}/transcriptions?status=lost`)).status).toBe(400);
    expect((await call('GET', `/api/v1/tenants/${s.tenantId}/transcriptions/${job.id}`)).body).toMatchObject({ id: job.id, status: 'queued', recordingId: s.recordingId, callId: s.callId });
    expect((await call('GET', `/api/v1/tenants/${s.tenantId}/transcriptions/trj_nope`)).status).toBe(404);

    const notFailed = await call('POST', `/api/v1/tenants/${s.tenantId}/transcriptions/${job.id}/retry`);
    expect(notFailed.status).toBe(409);
    expect(notFailed.body).toMatchObject({ error: 'conflict', field: 'status' });
    const before = wakes;
    const retried = await call('POST', `/api/v1/tenants/${s.tenantId}/transcriptions/${failing.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failing.id, status: 'queued', attempts: 0, lastErrorCode: 'unauthorized' });
    expect(wakes).toBe(before + 1);
  });

  it('queues a recording on demand, once; unknown recordings and other tenants are 404', async () => {
    const s = await seedCall(store, dataDir);
    const first = await call('POST', `/api/v1/tenants/${s.tenantId}/recordings/${s.recordingId}/transcription`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ recordingId: s.recordingId, status: 'queued' });
    const again = await call('POST', `/api/v1/tenants/${s.tenantId}/recordings/${s.recordingId}/transcription`);
    expect(again.body.id).toBe(first.body.id);
    expect((await call('POST', `/api/v1/tenants/${s.tenantId}/recordings/rec_nope/transcription`)).status).toBe(404);

    const stranger = await seedCall(store, dataDir);
    const { token } = await store.apiKeys.create(stranger.tenantId, 'crm');
    expect((await call('GET', `/api/v1/tenants/${s.tenantId}/transcriptions/${first.body.id}`, undefined, token)).status).toBe(404);
    expect((await call('POST', `/api/v1/tenants/${stranger.tenantId}/recordings/${s.recordingId}/transcription`, undefined, token)).status).toBe(404);
    expect((await call('GET', `/api/v1/tenants/${stranger.tenantId}/transcriptions`, undefined, token)).body.items).toEqual([]);
  });

  it('stores settings checked by the recogniser layer, naming the faulty field, and never shows secrets', async () => {
    const s = await seedCall(store, dataDir);
    const url = `/api/v1/tenants/${s.tenantId}/transcription-settings`;
    expect((await call('GET', url)).body).toEqual({ settings: null });
    const bad = await call('PUT', url, { provider: 'openai', language: 'english please', baseUrl: 'https://asr.example/v1' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_error', field: 'language' });
    const badHint = await call('PUT', url, { provider: 'pocketsphinx', language: 'en', hints: ['ok', 7] });
    expect(badHint.body).toMatchObject({ field: 'hints.1' });
    const put = await call('PUT', url, { provider: 'openai', language: 'en-US', baseUrl: 'https://asr.example/v1', apiKey: 'sk-very-secret' });
    expect(put.status).toBe(200);
    expect(put.body.settings).toMatchObject({ provider: 'openai', apiKey: '********' });
    expect(JSON.stringify((await call('GET', url)).body)).not.toContain('sk-very-secret');
    expect(await new TranscriptionSettingsRepo(store).get(s.tenantId)).toMatchObject({ apiKey: 'sk-very-secret' });
    expect((await call('DELETE', url)).status).toBe(204);
    expect((await call('GET', url)).body).toEqual({ settings: null });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = Object.keys((JSON.parse(r.body) as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/tenants/{tenantId}/transcriptions',
        '/api/v1/tenants/{tenantId}/transcriptions/{jobId}',
        '/api/v1/tenants/{tenantId}/transcriptions/{jobId}/retry',
        '/api/v1/tenants/{tenantId}/recordings/{recordingId}/transcription',
        '/api/v1/tenants/{tenantId}/transcription-settings',
      ]),
    );
  });
});
