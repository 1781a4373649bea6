// Simulation reports: per-call records → answer-seizure ratio, setup latency percentiles, time in IVR, per-leg loss/jitter/MOS, failures with reasons, audio checks, expectations; written as JSON, Markdown and SVG charts.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LegQuality } from '../engine/rtp/stats.ts';
import type { HearingSegment } from './ear.ts';
import type { SimCallResult } from './call.ts';
import type { Expectation, Scenario } from './scenario.ts';
import type { MetricName } from './scenario-schema.ts';
import type { Percentiles } from './stats.ts';
import { histogram, percentiles } from './stats.ts';
import { histogramSvg, stepSvg } from './svg.ts';

/** What the runner knows about one placed call (times relative to the run start, ms). */
export interface CallRecord {
  index: number;
  gateway: string;
  caller: string;
  number: string;
  profile: number;
  placedAtMs: number;
  /** Refused before any signalling (no free line, no RTP port…). */
  error?: string;
  /** The gateway (caller) leg. */
  callerLeg?: SimCallResult;
  /** The agent leg that answered (else the last that rang). */
  agentLeg?: SimCallResult;
  agentExtension?: string;
  /** Placement → first agent INVITE, ms. */
  agentRingAfterMs?: number;
  /** Placement → agent 200, ms. */
  agentAnswerAfterMs?: number;
  /** Tone the caller sent (for the agent-heard-caller check). */
  callerTone?: number;
  /** Tone the answering agent sent (for the caller-heard-agent check). */
  agentTone?: number;
}

/** A registration's outcome for the report. */
export interface RegistrationRecord {
  role: 'gateway' | 'agent';
  user: string;
  ok: boolean;
  status: number;
  /** Successful REGISTERs (first + refreshes). */
  registrations: number;
}

/** Per-leg quality, aggregated over legs. */
export interface QualitySummary {
  legs: number;
  lossPercent: { mean: number | null; max: number | null };
  jitterMs: { mean: number | null; max: number | null };
  mos: { mean: number | null; min: number | null };
}

/** One audio check over the calls it applies to. */
export interface AudioCheck {
  checked: number;
  passed: number;
  ratio: number | null;
}

/** A call in the report. */
export interface CallSummary {
  index: number;
  gateway: string;
  caller: string;
  number: string;
  outcome: string;
  status: number | null;
  setupMs: number | null;
  agentAnswerMs: number | null;
  ivrMs: number | null;
  agent: string | null;
  endReason: string | null;
  callerQuality: Pick<LegQuality, 'packets' | 'lossPercent' | 'jitterMs' | 'mos'> | null;
  agentQuality: Pick<LegQuality, 'packets' | 'lossPercent' | 'jitterMs' | 'mos'> | null;
  audio: { greeting: boolean | null; callerHeardAgent: boolean | null; agentHeardCaller: boolean | null };
  digitsSent: string;
  recordings: string[];
}

/** An expectation with its verdict. */
export interface ExpectationResult extends Expectation {
  actual: number | null;
  pass: boolean;
}

/** The report of a scenario run. */
export interface ScenarioReport {
  scenario: { name: string; description: string | null; file: string | null; seed: number };
  server: { sip: string; domain: string; info: Record<string, string> };
  startedAt: string;
  durationMs: number;
  totals: { placed: number; answered: number; failed: number; bridged: number; deferredSlots: number };
  metrics: Record<MetricName, number | null>;
  latency: { setupMs: Percentiles; agentAnswerMs: Percentiles; ivrMs: Percentiles };
  quality: { caller: QualitySummary; agent: QualitySummary };
  audio: { greetingHeard: AudioCheck; callerHeardAgent: AudioCheck; agentHeardCaller: AudioCheck };
  failures: Array<{ reason: string; count: number; calls: number[] }>;
  registrations: RegistrationRecord[];
  /** [ms since start, calls in progress] at every change. */
  concurrency: Array<[number, number]>;
  calls: CallSummary[];
  expectations: ExpectationResult[];
  passed: boolean;
}

/** Inputs of {@link buildReport}. */
export interface ReportInput {
  scenario: Scenario;
  server: { sip: string; domain: string; info?: Readonly<Record<string, string>> };
  startedAt: number;
  durationMs: number;
  records: readonly CallRecord[];
  registrations: readonly RegistrationRecord[];
  concurrency: ReadonlyArray<[number, number]>;
  deferredSlots: number;
  /** Whether the scenario has agents (calls are expected to bridge). */
  expectBridge: boolean;
}

/** Segments from the one labelled `label` to the end, summed (hold/resume marks split them). */
function fromLabel(heard: readonly HearingSegment[], label: string): { frames: number; voiced: number; tones: Record<string, number> } | undefined {
  const i = heard.findIndex((h) => h.label === label);
  if (i < 0) return undefined;
  const out = { frames: 0, voiced: 0, tones: {} as Record<string, number> };
  for (const h of heard.slice(i)) {
    out.frames += h.frames;
    out.voiced += h.voicedFrames;
    for (const [k, v] of Object.entries(h.toneFrames)) out.tones[k] = (out.tones[k] ?? 0) + v;
  }
  return out;
}

function heardThing(seg: ReturnType<typeof fromLabel>, tone: number | undefined, minMs: number): boolean {
  if (!seg) return false;
  const frames = tone !== undefined ? (seg.tones[String(tone)] ?? 0) : seg.voiced;
  return frames * 20 >= minMs;
}

function qualityOf(q: LegQuality | undefined): CallSummary['callerQuality'] {
  return q ? { packets: q.packets, lossPercent: q.lossPercent, jitterMs: q.jitterMs, mos: q.mos } : null;
}

function summarizeQuality(qs: ReadonlyArray<CallSummary['callerQuality']>): QualitySummary {
  const legs = qs.filter((q): q is NonNullable<typeof q> => q !== null && q.packets > 0);
  const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const loss = legs.map((q) => q.lossPercent);
  const jit = legs.map((q) => q.jitterMs);
  const mos = legs.map((q) => q.mos);
  return {
    legs: legs.length,
    lossPercent: { mean: mean(loss), max: loss.length ? Math.max(...loss) : null },
    jitterMs: { mean: mean(jit), max: jit.length ? Math.max(...jit) : null },
    mos: { mean: mean(mos), min: mos.length ? Math.min(...mos) : null },
  };
}

function check(values: ReadonlyArray<boolean | null>): AudioCheck {
  const checked = values.filter((v) => v !== null).length;
  const passed = values.filter((v) => v === true).length;
  return { checked, passed, ratio: checked ? passed / checked : null };
}

/** Evaluates one expectation against the metrics (unmeasured metrics fail). */
export function evaluate(e: Expectation, metrics: Readonly<Record<MetricName, number | null>>): ExpectationResult {
  const actual = metrics[e.metric];
  if (actual === null || !Number.isFinite(actual)) return { ...e, actual: null, pass: false };
  const eps = 1e-9;
  const pass =
    e.op === '<=' ? actual <= e.value + eps : e.op === '>=' ? actual >= e.value - eps : e.op === '<' ? actual < e.value : e.op === '>' ? actual > e.value : Math.abs(actual - e.value) <= eps;
  return { ...e, actual, pass };
}

/**
 * The audio checks of one call: the caller heard non-silent audio (≥ `greetingMinMs`) between the answer and
 * the bridge; once bridged, each side heard the other's tone (≥ `toneMinMs`; any voice when the tone is unknown).
 * null where a check does not apply (unanswered, never bridged).
 */
export function audioChecks(
  callerLeg: SimCallResult | undefined,
  agentLeg: SimCallResult | undefined,
  tones: { caller: number | undefined; agent: number | undefined },
  mins: { greetingMinMs: number; toneMinMs: number },
): CallSummary['audio'] {
  const answered = callerLeg?.outcome === 'answered';
  const bridged = answered && agentLeg?.outcome === 'answered';
  const greetingSeg = callerLeg?.heard.find((h) => h.label === 'answered');
  return {
    greeting: answered ? greetingSeg !== undefined && greetingSeg.voicedFrames * 20 >= mins.greetingMinMs : null,
    callerHeardAgent: bridged && callerLeg ? heardThing(fromLabel(callerLeg.heard, 'bridged'), tones.agent, mins.toneMinMs) : null,
    agentHeardCaller: bridged && agentLeg ? heardThing(fromLabel(agentLeg.heard, 'answered'), tones.caller, mins.toneMinMs) : null,
  };
}

/** Builds the report from the run's records (pure: no I/O). */
export function buildReport(input: ReportInput): ScenarioReport {
  const { scenario, records } = input;
  const checks = scenario.checks;
  const calls: CallSummary[] = records.map((r) => {
    const c = r.callerLeg;
    const a = r.agentLeg;
    const answered = c?.outcome === 'answered';
    const bridged = answered && a?.outcome === 'answered';
    const ivrMs = answered && r.agentRingAfterMs !== undefined && c?.setupMs !== undefined ? Math.max(0, r.agentRingAfterMs - c.setupMs) : null;
    return {
      index: r.index,
      gateway: r.gateway,
      caller: r.caller,
      number: r.number,
      outcome: r.error !== undefined ? 'error' : (c?.outcome ?? 'unknown'),
      status: c?.status ?? null,
      setupMs: c?.setupMs ?? null,
      agentAnswerMs: bridged ? (r.agentAnswerAfterMs ?? null) : null,
      ivrMs,
      agent: r.agentExtension ?? null,
      endReason: r.error ?? c?.endReason ?? null,
      callerQuality: qualityOf(c?.quality),
      agentQuality: qualityOf(a?.quality),
      audio: audioChecks(c, a, { caller: checks.callerTone ?? r.callerTone, agent: checks.agentTone ?? r.agentTone }, checks),
      digitsSent: c?.digitsSent ?? '',
      recordings: [c?.recording, a?.recording].filter((x): x is string => x !== undefined),
    };
  });

  const placed = records.length;
  const answered = calls.filter((c) => c.outcome === 'answered').length;
  const bridged = calls.filter((c) => c.agentAnswerMs !== null).length;
  const failuresMap = new Map<string, number[]>();
  const fail = (reason: string, index: number): void => {
    const l = failuresMap.get(reason) ?? [];
    l.push(index);
    failuresMap.set(reason, l);
  };
  for (const c of calls) {
    if (c.outcome === 'error') fail(`not placed: ${c.endReason}`, c.index);
    else if (c.outcome !== 'answered') fail(`${c.outcome}${c.status ? ` ${c.status}` : ''}`, c.index);
    else if (input.expectBridge && c.agentAnswerMs === null) fail('answered, never bridged to an agent', c.index);
  }
  for (const r of input.registrations) if (!r.ok) fail(`registration of ${r.role} ${r.user} failed (${r.status || 'no response'})`, -1);
  const failures = [...failuresMap.entries()].map(([reason, idx]) => ({ reason, count: idx.length, calls: idx.filter((i) => i >= 0).slice(0, 10) })).sort((a, b) => b.count - a.count);

  const setup = percentiles(calls.map((c) => c.setupMs).filter((x): x is number => x !== null));
  const agentAnswer = percentiles(calls.map((c) => c.agentAnswerMs).filter((x): x is number => x !== null));
  const ivr = percentiles(calls.map((c) => c.ivrMs).filter((x): x is number => x !== null));
  const callerQ = summarizeQuality(calls.map((c) => c.callerQuality));
  const agentQ = summarizeQuality(calls.map((c) => c.agentQuality));
  const allQ = summarizeQuality([...calls.map((c) => c.callerQuality), ...calls.map((c) => c.agentQuality)]);
  const audio = {
    greetingHeard: check(calls.map((c) => c.audio.greeting)),
    callerHeardAgent: check(calls.map((c) => c.audio.callerHeardAgent)),
    agentHeardCaller: check(calls.map((c) => c.audio.agentHeardCaller)),
  };
  const metrics: Record<MetricName, number | null> = {
    placedCalls: placed,
    answeredCalls: answered,
    failedCalls: placed - answered,
    bridgedCalls: bridged,
    answerSeizureRatio: placed ? answered / placed : null,
    bridgeRatio: answered ? bridged / answered : null,
    setupLatencyP50Ms: setup.p50,
    setupLatencyP95Ms: setup.p95,
    setupLatencyP99Ms: setup.p99,
    setupLatencyMaxMs: setup.max,
    agentAnswerLatencyP50Ms: agentAnswer.p50,
    agentAnswerLatencyP95Ms: agentAnswer.p95,
    agentAnswerLatencyP99Ms: agentAnswer.p99,
    ivrTimeP50Ms: ivr.p50,
    ivrTimeP95Ms: ivr.p95,
    greetingHeardRatio: audio.greetingHeard.ratio,
    callerHeardAgentRatio: audio.callerHeardAgent.ratio,
    agentHeardCallerRatio: audio.agentHeardCaller.ratio,
    mosMin: allQ.mos.min,
    mosMean: allQ.mos.mean,
    lossPercentMax: allQ.lossPercent.max,
    jitterMsMax: allQ.jitterMs.max,
    registrationFailures: input.registrations.filter((r) => !r.ok).length,
    peakConcurrentCalls: input.concurrency.reduce((m, [, n]) => Math.max(m, n), 0),
  };
  const expectations = scenario.expect.map((e) => evaluate(e, metrics));
  return {
    scenario: { name: scenario.name, description: scenario.description ?? null, file: scenario.file ?? null, seed: scenario.seed },
    server: { sip: input.server.sip, domain: input.server.domain, info: { ...(input.server.info ?? {}) } },
    startedAt: new Date(input.startedAt).toISOString(),
    durationMs: Math.round(input.durationMs),
    totals: { placed, answered, failed: placed - answered, bridged, deferredSlots: input.deferredSlots },
    metrics,
    latency: { setupMs: setup, agentAnswerMs: agentAnswer, ivrMs: ivr },
    quality: { caller: callerQ, agent: agentQ },
    audio,
    failures,
    registrations: [...input.registrations],
    concurrency: input.concurrency.map(([t, n]) => [Math.round(t), n]),
    calls,
    expectations,
    passed: expectations.every((e) => e.pass),
  };
}

function n(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return digits === 0 ? String(Math.round(x)) : x.toFixed(digits);
}

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)} %`;
}

function yes(b: boolean | null): string {
  return b === null ? '—' : b ? 'yes' : '**no**';
}

/** The report as Markdown (summary tables, failures, expectations, the first `maxCalls` calls). */
export function reportMarkdown(r: ScenarioReport, maxCalls = 50): string {
  const L: string[] = [];
  L.push(`# Simulation report: ${r.scenario.name}`, '');
  if (r.scenario.description) L.push(r.scenario.description, '');
  L.push(`Server \`${r.server.sip}\`, domain \`${r.server.domain}\` — started ${r.startedAt}, ran ${(r.durationMs / 1000).toFixed(1)} s, seed ${r.scenario.seed}.`, '');
  for (const [k, v] of Object.entries(r.server.info)) L.push(`- ${k}: ${v}`);
  if (Object.keys(r.server.info).length) L.push('');
  L.push(`**Result: ${r.passed ? 'PASSED' : 'FAILED'}**`, '');
  L.push('## Calls', '', '| placed | answered | ASR | bridged to agent | failed | peak concurrent |', '|---:|---:|---:|---:|---:|---:|');
  L.push(`| ${r.totals.placed} | ${r.totals.answered} | ${pct(r.metrics.answerSeizureRatio)} | ${r.totals.bridged} | ${r.totals.failed} | ${n(r.metrics.peakConcurrentCalls)} |`, '');
  L.push('## Latency (ms)', '', '| measure | count | p50 | p95 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
  const lat = (name: string, p: Percentiles): string => `| ${name} | ${p.count} | ${n(p.p50)} | ${n(p.p95)} | ${n(p.p99)} | ${n(p.max)} |`;
  L.push(lat('setup: INVITE → 200', r.latency.setupMs), lat('INVITE → agent answer', r.latency.agentAnswerMs), lat('time in IVR (200 → agent rings)', r.latency.ivrMs), '');
  L.push('![setup latency](latency.svg)', '', '![concurrent calls](concurrency.svg)', '');
  L.push('## Media quality (what each side received)', '', '| leg | legs | loss % mean / max | jitter ms mean / max | MOS mean / min |', '|---|---:|---:|---:|---:|');
  const q = (name: string, s: QualitySummary): string =>
    `| ${name} | ${s.legs} | ${n(s.lossPercent.mean, 2)} / ${n(s.lossPercent.max, 2)} | ${n(s.jitterMs.mean, 2)} / ${n(s.jitterMs.max, 2)} | ${n(s.mos.mean, 2)} / ${n(s.mos.min, 2)} |`;
  L.push(q('caller (gateway)', r.quality.caller), q('agent', r.quality.agent), '');
  L.push('## Audio checks', '', '| check | checked | passed |', '|---|---:|---:|');
  L.push(`| caller heard a greeting before the bridge | ${r.audio.greetingHeard.checked} | ${r.audio.greetingHeard.passed} |`);
  L.push(`| caller heard the agent | ${r.audio.callerHeardAgent.checked} | ${r.audio.callerHeardAgent.passed} |`);
  L.push(`| agent heard the caller | ${r.audio.agentHeardCaller.checked} | ${r.audio.agentHeardCaller.passed} |`, '');
  if (r.failures.length) {
    L.push('## Failures', '', '| reason | count | calls |', '|---|---:|---|');
    for (const f of r.failures) L.push(`| ${f.reason} | ${f.count} | ${f.calls.join(', ')} |`);
    L.push('');
  }
  if (r.registrations.length) {
    const bad = r.registrations.filter((x) => !x.ok);
    L.push('## Registrations', '', `${r.registrations.length - bad.length} of ${r.registrations.length} registered.${bad.length ? ` Failed: ${bad.map((b) => `${b.role} ${b.user} (${b.status})`).join(', ')}.` : ''}`, '');
  }
  if (r.expectations.length) {
    L.push('## Expectations', '', '| metric | expected | actual | |', '|---|---|---:|---|');
    for (const e of r.expectations) L.push(`| ${e.metric} | ${e.text} | ${e.actual === null ? 'not measured' : n(e.actual, Number.isInteger(e.actual) ? 0 : 3)} | ${e.pass ? 'pass' : '**FAIL**'} |`);
    L.push('');
  }
  L.push(`## Calls${r.calls.length > maxCalls ? ` (first ${maxCalls} of ${r.calls.length})` : ''}`, '');
  L.push('| # | caller → number | outcome | setup ms | agent | agent answer ms | IVR ms | caller loss % / MOS | agent loss % / MOS | greeting | heard agent | agent heard |');
  L.push('|---:|---|---|---:|---|---:|---:|---:|---:|---|---|---|');
  for (const c of r.calls.slice(0, maxCalls)) {
    const lq = (x: CallSummary['callerQuality']): string => (x ? `${n(x.lossPercent, 2)} / ${n(x.mos, 2)}` : '—');
    L.push(
      `| ${c.index} | ${c.caller} → ${c.number} | ${c.outcome}${c.status && c.status !== 200 ? ` ${c.status}` : ''} | ${n(c.setupMs)} | ${c.agent ?? '—'} | ${n(c.agentAnswerMs)} | ${n(c.ivrMs)} | ${lq(c.callerQuality)} | ${lq(c.agentQuality)} | ${yes(c.audio.greeting)} | ${yes(c.audio.callerHeardAgent)} | ${yes(c.audio.agentHeardCaller)} |`,
    );
  }
  L.push('');
  return L.join('\n');
}

/** The files of a written report. */
export interface ReportFiles {
  json: string;
  markdown: string;
  latencySvg: string;
  concurrencySvg: string;
}

/** Writes report.json, report.md, latency.svg and concurrency.svg into `dir` (created). */
export async function writeReport(r: ScenarioReport, dir: string): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files: ReportFiles = {
    json: path.join(dir, 'report.json'),
    markdown: path.join(dir, 'report.md'),
    latencySvg: path.join(dir, 'latency.svg'),
    concurrencySvg: path.join(dir, 'concurrency.svg'),
  };
  const setups = r.calls.map((c) => c.setupMs).filter((x): x is number => x !== null);
  await Promise.all([
    writeFile(files.json, `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2)}\n`),
    writeFile(files.markdown, reportMarkdown(r)),
    writeFile(files.latencySvg, histogramSvg(histogram(setups, 20), 'Setup latency (INVITE → 200)', 'ms', 'calls')),
    writeFile(files.concurrencySvg, stepSvg(r.concurrency.map(([t, c]) => [t / 1000, c] as const), 'Concurrent calls', 's since start', 'calls')),
  ]);
  return files;
}

/** One line of live progress. */
export interface ScenarioProgress {
  elapsedMs: number;
  placed: number;
  /** Placed, not answered yet. */
  ringing: number;
  /** Answered and not ended. */
  up: number;
  answered: number;
  bridged: number;
  failed: number;
  /** Placements per second over the last 5 s. */
  ratePerSec: number;
  /** Calls to place in total, when bounded by count. */
  target: number | undefined;
}

/** Formats a progress line: `12.0s placed 10/20 ringing 1 up 3 answered 9 bridged 8 failed 1 rate 2.0/s`. */
export function formatProgress(p: ScenarioProgress): string {
  return `${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s placed ${p.placed}${p.target !== undefined ? `/${p.target}` : ''} ringing ${p.ringing} up ${p.up} answered ${p.answered} bridged ${p.bridged} failed ${p.failed} rate ${p.ratePerSec.toFixed(1)}/s`;
}
