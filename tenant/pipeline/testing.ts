// Test support for the pipeline (not shipped): a tenant with a call and a recording file, scripted transcribers, and polling.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../store/index.ts';
import { uniqueDomain } from '../testing.ts';
import type { TranscriptionRequest, TranscriptResult } from './worker.ts';

/** What {@link seedCall} made. */
export interface SeededCall {
  tenantId: string;
  callId: string;
  recordingId: string;
  customer: string;
  agentId: string;
}

/** A tenant, an agent, an answered call from `customer`, and a recording of it (`wav` written under `dataDir`). */
export async function seedCall(store: Store, dataDir: string, wav: Uint8Array = new Uint8Array(44), customer = '+8613800001111'): Promise<SeededCall> {
  const t = await store.tenants.create({ name: 'Pipeline', domain: uniqueDomain('pipe') });
  const agent = await store.agents.create(t.id, { extension: '1001', name: 'Ann', password: 'pw-0123456789' });
  return seedRecording(store, dataDir, t.id, agent.id, wav, customer);
}

/** Another call and recording of an existing tenant. */
export async function seedRecording(store: Store, dataDir: string, tenantId: string, agentId: string, wav: Uint8Array = new Uint8Array(44), customer = '+8613800001111'): Promise<SeededCall> {
  const now = store.now();
  const call = await store.calls.insert({ tenantId, direction: 'inbound', customer, agentId, startedAt: now - 10_000, answeredAt: now - 9_000, endedAt: now, disposition: 'answered' });
  const rel = path.join('recordings', tenantId, `${call.id}.wav`);
  await mkdir(path.dirname(path.join(dataDir, rel)), { recursive: true });
  await writeFile(path.join(dataDir, rel), wav);
  const rec = await store.recordings.insert({ tenantId, callId: call.id, path: rel, format: 'wav', channels: 2, sampleRate: 8000, durationMs: 9000, sizeBytes: wav.length });
  return { tenantId, callId: call.id, recordingId: rec.id, customer, agentId };
}

/** A transcript with one line per speaker. */
export function fakeTranscript(words = 'hello'): TranscriptResult {
  return {
    language: 'en',
    provider: 'fake',
    durationMs: 9000,
    speakers: [
      { speaker: 'customer', channel: 'left', speechMs: 1200, silent: false, lines: 1 },
      { speaker: 'agent', channel: 'right', speechMs: 800, silent: false, lines: 1 },
    ],
    lines: [
      { speaker: 'agent', startMs: 100, endMs: 900, text: `agent ${words}` },
      { speaker: 'customer', startMs: 1500, endMs: 2700, text: `customer ${words}` },
    ],
    text: `agent: agent ${words}\ncustomer: customer ${words}`,
  };
}

/** An error shaped like ivr/asr's AsrError. */
export class FakeAsrError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(code: string, retryable: boolean, retryAfterMs?: number) {
    super(`fake recogniser: ${code}`);
    this.code = code;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A transcriber that plays a script of outcomes (an error to throw, or `ok`), then succeeds; it records each call's time. */
export class ScriptedTranscriber {
  readonly calls: { at: number; req: TranscriptionRequest }[] = [];
  script: Array<Error | 'ok'>;
  active = 0;
  maxActive = 0;
  /** Milliseconds each call takes (cancellable). */
  delayMs = 0;

  constructor(script: Array<Error | 'ok'> = []) {
    this.script = script;
  }

  readonly transcribe = async (req: TranscriptionRequest): Promise<TranscriptResult> => {
    this.calls.push({ at: Date.now(), req });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delayMs > 0) await abortableDelay(this.delayMs, req.signal);
      const next = this.script.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      return fakeTranscript(`#${this.calls.length}`);
    } finally {
      this.active--;
    }
  };
}

/** Waits `ms`, rejecting as `aborted` when `signal` fires. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new FakeAsrError('aborted', false));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `cond` every 10 ms until true. @throws after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
