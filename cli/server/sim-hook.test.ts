// The repository's smoke scenario run against the real server composition (in-process), as CI does.
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../simulator/index.ts';
import { startServer } from './sim-hook.ts';

describe('simulator scenario against hotline serve (in-process)', () => {
  it('runs simulator/scenarios/smoke.yaml: every call greeted, bridged and heard both ways, expectations pass', async () => {
    const scenario = await loadScenario(new URL('../../simulator/scenarios/smoke.yaml', import.meta.url).pathname);
    const { report } = await runScenario(scenario, { startServer, rtpPorts: { min: 19000, max: 19999 } });
    expect(report.passed, JSON.stringify(report.expectations, null, 1).slice(0, 2000)).toBe(true);
    expect(report.totals.bridged).toBe(report.totals.placed);
    expect(report.totals.placed).toBeGreaterThan(0);
  }, 90_000);
});
