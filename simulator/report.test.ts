// Examples for report building from synthetic call records: ASR, latency percentiles, time in IVR, failures with reasons, audio checks, expectations; Markdown and SVG output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimCallResult } from './call.ts';
import type { HearingSegment } from './ear.ts';
import type { CallRecord } from './report.ts';
import { buildReport, evaluate, formatProgress, reportMarkdown } from './report.ts';
import { parseScenario } from './scenario.ts';
import { histogram, percentile, percentiles } from './stats.ts';
import { histogramSvg, stepSvg } from './svg.ts';

const scenario = parseScenario(`
server: { address: "127.0.0.1:5060", domain: acme.test, numbers: ["100"] }
gateways: [{ username: gw, password: pw }]
agents: [{ extensions: "7", password: x }]
load: { callsPerSecond: 1, totalCalls: 3 }
expect:
  answerSeizureRatio: ">= 0.9"
  setupLatencyP99Ms: "<= 100"
  callerHeardAgentRatio: ">= 1"
`);

function seg(label: string, voiced: number, tones: Record<string, number> = {}): HearingSegment {
  return { label, startMs: 0, frames: voiced, voicedFrames: voiced, firstVoicedMs: voiced ? 0 : null, toneFrames: { '600': 0, '1000': 0, ...tones }, meanVoicedRms: 1000 };
}

function leg(over: Partial<SimCallResult>): SimCallResult {
  return {
    id: 'x',
    direction: 'outgoing',
    from: '+1',
    to: '100',
    requestUri: 'sip:100@acme.test',
    callId: 'c',
    outcome: 'answered',
    status: 200,
    endReason: 'local-bye',
    endedBy: 'local',
    startedAt: 0,
    ringingMs: 5,
    setupMs: 40,
    talkMs: 3000,
    quality: { packets: 150, lost: 0, lossPercent: 0, jitterMs: 1, rttMs: null, mos: 4.4 },
    heard: [],
    digitsHeard: '',
    digitsSent: '',
    framesSent: 150,
    recording: undefined,
    ...over,
  };
}

const records: CallRecord[] = [
  {
    index: 0, gateway: 'gw', caller: '+1', number: '100', profile: 0, placedAtMs: 0, callerTone: 600, agentTone: 1000,
    callerLeg: leg({ setupMs: 20, heard: [seg('answered', 30), seg('bridged', 60, { '1000': 55 })] }),
    agentLeg: leg({ direction: 'incoming', heard: [seg('answered', 60, { '600': 58 })], quality: { packets: 150, lost: 3, lossPercent: 2, jitterMs: 4, rttMs: null, mos: 4.1 } }),
    agentExtension: '7', agentRingAfterMs: 620, agentAnswerAfterMs: 900,
  },
  {
    // Bridged, but the caller heard nothing from the agent.
    index: 1, gateway: 'gw', caller: '+2', number: '100', profile: 0, placedAtMs: 1000, callerTone: 600, agentTone: 1000,
    callerLeg: leg({ setupMs: 200, heard: [seg('answered', 2), seg('bridged', 60)] }),
    agentLeg: leg({ direction: 'incoming', heard: [seg('answered', 60, { '600': 58 })] }),
    agentExtension: '7', agentRingAfterMs: 800, agentAnswerAfterMs: 1100,
  },
  { index: 2, gateway: 'gw', caller: '+3', number: '100', profile: 0, placedAtMs: 2000, callerLeg: leg({ outcome: 'busy', status: 486, setupMs: undefined, quality: undefined }) },
  { index: 3, gateway: 'gw', caller: '+4', number: '100', profile: 0, placedAtMs: 3000, error: 'all 1 lines are in use' },
];

describe('buildReport', () => {
  const r = buildReport({
    scenario,
    server: { sip: '127.0.0.1:5060', domain: 'acme.test' },
    startedAt: 0,
    durationMs: 5000,
    records,
    registrations: [{ role: 'gateway', user: 'gw', ok: true, status: 200, registrations: 1 }, { role: 'agent', user: '7', ok: false, status: 403, registrations: 0 }],
    concurrency: [[0, 0], [10, 1], [1000, 2], [3500, 1], [4000, 0]],
    deferredSlots: 1,
    expectBridge: true,
  });

  it('counts calls and the answer-seizure ratio', () => {
    expect(r.totals).toEqual({ placed: 4, answered: 2, failed: 2, bridged: 2, deferredSlots: 1 });
    expect(r.metrics.answerSeizureRatio).toBe(0.5);
    expect(r.metrics.peakConcurrentCalls).toBe(2);
    expect(r.metrics.registrationFailures).toBe(1);
  });

  it('computes setup latency, agent answer latency and time in IVR', () => {
    expect(r.latency.setupMs).toMatchObject({ count: 2, p50: 20, p99: 200, max: 200 });
    expect(r.latency.agentAnswerMs).toMatchObject({ count: 2, p50: 900, max: 1100 });
    expect(r.calls[0].ivrMs).toBe(600);
    expect(r.calls[1].ivrMs).toBe(600);
  });

  it('checks the audio of bridged calls only', () => {
    expect(r.calls[0].audio).toEqual({ greeting: true, callerHeardAgent: true, agentHeardCaller: true });
    expect(r.calls[1].audio).toEqual({ greeting: false, callerHeardAgent: false, agentHeardCaller: true });
    expect(r.calls[2].audio).toEqual({ greeting: null, callerHeardAgent: null, agentHeardCaller: null });
    expect(r.audio.callerHeardAgent).toEqual({ checked: 2, passed: 1, ratio: 0.5 });
    expect(r.audio.greetingHeard.ratio).toBe(0.5);
  });

  it('aggregates per-leg quality', () => {
    expect(r.quality.agent).toMatchObject({ legs: 2, lossPercent: { max: 2 }, mos: { min: 4.1 } });
    expect(r.metrics.mosMin).toBe(4.1);
    expect(r.metrics.lossPercentMax).toBe(2);
  });

  it('lists failures with reasons', () => {
    expect(r.failures).toEqual(
      expect.arrayContaining([
        { reason: 'busy 486', count: 1, calls: [2] },
        { reason: 'not placed: all 1 lines are in use', count: 1, calls: [3] },
        { reason: 'registration of agent 7 failed (403)', count: 1, calls: [] },
      ]),
    );
  });

  it('evaluates expectations and fails the run when one fails', () => {
    expect(r.expectations.map((e) => [e.metric, e.actual, e.pass])).toEqual([
      ['answerSeizureRatio', 0.5, false],
      ['setupLatencyP99Ms', 200, false],
      ['callerHeardAgentRatio', 0.5, false],
    ]);
    expect(r.passed).toBe(false);
    expect(evaluate({ metric: 'mosMin', op: '>=', value: 4, text: '>= 4' }, { ...r.metrics, mosMin: null })).toMatchObject({ pass: false, actual: null });
  });

  it('writes Markdown with the verdict, tables and failures', () => {
    const md = reportMarkdown(r);
    expect(md).toContain('**Result: FAILED**');
    expect(md).toContain('| busy 486 | 1 | 2 |');
    expect(md).toContain('| setupLatencyP99Ms | <= 100 | 200 | **FAIL** |');
    expect(md.split('\n').filter((l) => /^\| \d+ \| \+\d/.test(l))).toHaveLength(4);
  });
});

describe('statistics and charts', () => {
  it('nearest-rank percentiles lie in the sample and are ordered', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }), (xs) => {
        const p = percentiles(xs);
        const sorted = [...xs].sort((a, b) => a - b);
        expect(xs).toContain(p.p50);
        expect(p.min).toBe(sorted[0]);
        expect(p.max).toBe(sorted[sorted.length - 1]);
        expect((p.p50 as number) <= (p.p95 as number) && (p.p95 as number) <= (p.p99 as number)).toBe(true);
        // At least p % of the sample is ≤ the p-th percentile.
        expect(sorted.filter((x) => x <= (p.p95 as number)).length).toBeGreaterThanOrEqual(Math.ceil(0.95 * xs.length));
      }),
      { numRuns: 200 },
    );
    expect(percentile([], 50)).toBeNull();
    expect(percentiles([]).count).toBe(0);
  });

  it('histograms keep every sample in a bucket of nice width', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 1, maxLength: 300 }), (xs) => {
        const h = histogram(xs, 20);
        expect(h.counts.reduce((a, b) => a + b, 0)).toBe(xs.length);
        expect(h.start).toBeLessThanOrEqual(Math.min(...xs));
        expect(h.start + h.width * h.counts.length).toBeGreaterThanOrEqual(Math.max(...xs));
        const mantissa = h.width / 10 ** Math.floor(Math.log10(h.width));
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('draws a bar per bucket and a step path, escaping titles', () => {
    const svg = histogramSvg({ start: 0, width: 10, counts: [1, 0, 3] }, 'A <b> & c', 'ms');
    expect(svg).toContain('A &lt;b&gt; &amp; c');
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(svg).toContain('<title>20–30: 3</title>');
    const step = stepSvg([[0, 0], [1, 2], [3, 1]], 'c', 's', 'calls');
    expect(step).toMatch(/<path d="M56\.0,276\.0 H[\d.]+ V[\d.]+ H[\d.]+ V[\d.]+"/);
    expect(histogramSvg({ start: 0, width: 1, counts: [] }, 't', 'x')).toContain('no data');
  });

  it('formats a progress line', () => {
    expect(formatProgress({ elapsedMs: 12_000, placed: 10, ringing: 1, up: 3, answered: 9, bridged: 8, failed: 1, ratePerSec: 2, target: 20 })).toBe(
      '  12.0s placed 10/20 ringing 1 up 3 answered 9 bridged 8 failed 1 rate 2.0/s',
    );
  });
});
