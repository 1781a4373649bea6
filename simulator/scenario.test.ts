// Scenario files and runs: the published schema, faults as JSON Pointers with lines, defaults and ranges, the smoke scenario run against an in-process server with its report checked.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.ts';
import { runScenario } from './run.ts';
import { SCENARIO_SCHEMA } from './scenario-schema.ts';
import { loadScenario, parseScenario } from './scenario.ts';
import { miniServerStarter } from './testing/mini-server.ts';
import { tempDir } from './testing/helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const MINIMAL = `
server: { address: "127.0.0.1:5060", domain: acme.test, numbers: ["100"] }
gateways: [{ username: gw, password: pw }]
load: { callsPerSecond: 1, totalCalls: 1 }
`;

function faultsOf(text: string): Array<{ path: string; message: string }> {
  try {
    parseScenario(text);
  } catch (err) {
    if (err instanceof ScenarioError) return [...err.faults];
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario files', () => {
  it('publishes its JSON Schema as simulator/scenario.schema.json', async () => {
    const file = JSON.parse(await readFile(path.join(here, 'scenario.schema.json'), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(SCENARIO_SCHEMA)));
  });

  it('every example scenario in simulator/scenarios validates', async () => {
    for (const f of ['smoke.yaml', 'load.yaml', 'gateways-only.yaml']) {
      const s = await loadScenario(path.join(here, 'scenarios', f));
      expect(s.load.totalCalls ?? s.load.durationSec, f).toBeGreaterThan(0);
    }
  });

  it('normalises a minimal scenario with defaults', () => {
    const s = parseScenario(MINIMAL);
    expect(s.server).toEqual({ address: { host: '127.0.0.1', port: 5060 }, inProcess: false, domain: 'acme.test', numbers: ['100'] });
    expect(s.gateways[0]).toMatchObject({ username: 'gw', password: 'pw', lines: 30, register: true, callerIds: { kind: 'fixed' } });
    expect(s.load).toMatchObject({ callsPerSecond: 1, totalCalls: 1, maxConcurrent: 30, maxCallSec: 120 });
    expect(s.callers).toHaveLength(1);
    expect(s.callers[0].audio).toEqual({ kind: 'tone', frequencies: [600] });
  });

  it('expands extension ranges and password templates', () => {
    const s = parseScenario(`${MINIMAL}\nagents: [{ extensions: "0100-0102,7", password: "p-{ext}", behaviourMix: [{ action: answer, weight: 3 }, { action: decline }] }]`);
    expect(s.agents[0].extensions).toEqual(['0100', '0101', '0102', '7']);
    expect(s.agents[0].passwords).toEqual(['p-0100', 'p-0101', 'p-0102', 'p-7']);
    expect(s.agents[0].behaviours.map((b) => [b.action, b.weight])).toEqual([['answer', 3], ['decline', 1]]);
  });

  it('reports YAML syntax errors with their line', () => {
    const faults = faultsOf('server:\n  address: [unclosed\n');
    expect(faults[0].message).toMatch(/^line \d+:/);
  });

  it('reports every schema fault with its JSON Pointer and line', () => {
    const faults = faultsOf(`
server: { address: "127.0.0.1:5060", domain: acme.test, numbers: ["100"] }
gateways:
  - username: gw
    password: pw
    lines: 0
load: { callsPerSecond: 1, totalCalls: 1, burst: 3 }
callers:
  - audio: "beep"
    dtmf: [{ atMs: 10, digits: "12x" }]
expect:
  answerSeizureRatio: "about 0.9"
  happiness: ">= 1"
`);
    const byPath = Object.fromEntries(faults.map((f) => [f.path, f.message]));
    expect(Object.keys(byPath).sort()).toEqual(['/callers/0/audio', '/callers/0/dtmf/0/digits', '/expect/answerSeizureRatio', '/expect/happiness', '/gateways/0/lines', '/load/burst'].sort());
    expect(byPath['/gateways/0/lines']).toMatch(/≥ 1 \(line 6\)/);
    expect(byPath['/load/burst']).toMatch(/unknown property "burst".*\(line 7\)/);
    expect(byPath['/callers/0/audio']).toMatch(/tone:HZ/);
  });

  it('refuses an unbounded load, a server without address, and duplicate extensions (meaning checks)', () => {
    const faults = faultsOf(`
server: { domain: acme.test, numbers: ["100"] }
gateways: [{ username: gw, password: pw }]
agents:
  - { extensions: "1-3", password: x }
  - { extensions: ["3"], password: y }
load: { callsPerSecond: 1 }
`);
    expect(faults.map((f) => f.path).sort()).toEqual(['/agents/1/extensions', '/load', '/server']);
    expect(faults.find((f) => f.path === '/load')?.message).toMatch(/bounded/);
  });
});

describe('scenario runner', () => {
  it('runs simulator/scenarios/smoke.yaml through an in-process server: every call greeted, bridged and heard both ways; report files written', async () => {
    const { dir, remove } = await tempDir('hotline-scenario-');
    cleanups.push(remove);
    const scenario = await loadScenario(path.join(here, 'scenarios', 'smoke.yaml'));
    const progress: number[] = [];
    const { report, files } = await runScenario(scenario, {
      startServer: miniServerStarter({ rtpPorts: { min: 13500, max: 13999 } }),
      outDir: dir,
      rtpPorts: { min: 14500, max: 14999 },
      onProgress: (p) => progress.push(p.placed),
      progressIntervalMs: 500,
    });
    expect(report.totals).toMatchObject({ placed: 4, answered: 4, bridged: 4, failed: 0 });
    expect(report.failures).toEqual([]);
    expect(report.metrics.answerSeizureRatio).toBe(1);
    expect(report.audio.greetingHeard).toEqual({ checked: 4, passed: 4, ratio: 1 });
    expect(report.audio.callerHeardAgent.passed).toBe(4);
    expect(report.audio.agentHeardCaller.passed).toBe(4);
    expect(report.latency.setupMs.count).toBe(4);
    expect(report.latency.ivrMs.p50).toBeGreaterThanOrEqual(500); // the 600 ms greeting
    expect(report.calls.every((c) => c.agent === '100' || c.agent === '101')).toBe(true);
    expect(new Set(report.calls.map((c) => c.caller))).toEqual(new Set(['+15550001', '+15550002', '+15550003', '+15550004']));
    expect(report.quality.caller.legs).toBe(4);
    expect(report.quality.agent.mos.min).toBeGreaterThan(4);
    expect(report.metrics.peakConcurrentCalls).toBe(2);
    expect(report.registrations.filter((r) => r.ok)).toHaveLength(3);
    expect(report.expectations.every((e) => e.pass)).toBe(true);
    expect(report.passed).toBe(true);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toBe(4);
    // The files.
    const json = JSON.parse(await readFile(files?.json as string, 'utf8')) as { passed: boolean; calls: unknown[] };
    expect(json.passed).toBe(true);
    expect(json.calls).toHaveLength(4);
    expect(await readFile(files?.markdown as string, 'utf8')).toContain('**Result: PASSED**');
    const svg = await readFile(files?.latencySvg as string, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBeGreaterThan(1);
    expect(await readFile(files?.concurrencySvg as string, 'utf8')).toContain('<path d="M');
  }, 30_000);

  it('fails its expectations when agents decline: the report says why', async () => {
    const scenario = parseScenario(`
seed: 1
server: { inProcess: true, domain: decline.test, numbers: ["555"] }
gateways: [{ username: gw, password: pw, lines: 2 }]
agents: [{ extensions: "300", password: x, behaviour: { action: decline, ringMs: 100 } }]
load: { callsPerSecond: 4, totalCalls: 2, maxCallSec: 10 }
callers: [{ talkSec: 1 }]
expect: { bridgeRatio: ">= 1", answerSeizureRatio: ">= 1" }
`);
    const { report } = await runScenario(scenario, { startServer: miniServerStarter({ rtpPorts: { min: 14000, max: 14499 }, greeting: { hz: 440, ms: 200 } }) });
    expect(report.passed).toBe(false);
    expect(report.expectations.map((e) => [e.metric, e.pass])).toEqual([
      ['bridgeRatio', false],
      ['answerSeizureRatio', true],
    ]);
    expect(report.failures[0]).toMatchObject({ reason: 'answered, never bridged to an agent', count: 2 });
  }, 20_000);
});
