// The `branch` and `setVar` nodes: caller/called/variable tests, tenant-local time of day and day of week with an injected clock (IANA time zones).
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schema/types.ts';
import { inWindow, localTime } from '../conditions.ts';
import { runFlow } from '../interpreter.ts';
import { FakeFlowHost } from '../testing/fake-host.ts';
import { flowOf } from '../testing/flows.ts';
import { ScriptedCall } from '../testing/scripted-call.ts';

/** 2026-01-05T02:30:00Z: Monday 10:30 in Shanghai (UTC+8), Sunday 21:30 in New York (UTC−5). */
const MONDAY_0230Z = Date.UTC(2026, 0, 5, 2, 30);

async function pick(when: Condition, opts: { tz?: string; now?: number; caller?: string; called?: string; vars?: Record<string, string> } = {}): Promise<string> {
  const host = new FakeFlowHost();
  host.timezone = opts.tz ?? 'Asia/Shanghai';
  const info: Record<string, string> = {};
  if (opts.caller) info.caller = opts.caller;
  if (opts.called) info.called = opts.called;
  const r = await runFlow(
    new ScriptedCall({ info }),
    flowOf({ b: { type: 'branch', conditions: [{ when, next: 'yes' }], default: 'no' }, yes: { type: 'hangup' }, no: { type: 'hangup' } }),
    host,
    { clock: { now: () => opts.now ?? MONDAY_0230Z }, vars: opts.vars ?? {} },
  );
  return r.path[1].node;
}

const businessHours: Condition = { all: [{ dayOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'] }, { timeOfDay: { from: '09:00', to: '18:00' } }] };

describe('branch on time in the tenant’s time zone', () => {
  it('the same instant is business hours in Shanghai and not in New York', async () => {
    expect(await pick(businessHours, { tz: 'Asia/Shanghai' })).toBe('yes');
    expect(await pick(businessHours, { tz: 'America/New_York' })).toBe('no');
  });

  it('reads local day and minutes across a date line and DST', () => {
    expect(localTime(MONDAY_0230Z, 'Asia/Shanghai')).toEqual({ day: 'mon', minutes: 10 * 60 + 30 });
    expect(localTime(MONDAY_0230Z, 'America/New_York')).toEqual({ day: 'sun', minutes: 21 * 60 + 30 });
    // 2026-07-06T02:30Z: New York is on EDT (UTC−4) → Sunday 22:30.
    expect(localTime(Date.UTC(2026, 6, 6, 2, 30), 'America/New_York')).toEqual({ day: 'sun', minutes: 22 * 60 + 30 });
    expect(localTime(Date.UTC(2026, 0, 5, 0, 0), 'UTC')).toEqual({ day: 'mon', minutes: 0 });
  });

  it('windows: from inclusive, to exclusive, wrapping past midnight', () => {
    expect(inWindow(9 * 60, '09:00', '18:00')).toBe(true);
    expect(inWindow(18 * 60, '09:00', '18:00')).toBe(false);
    expect(inWindow(23 * 60, '22:00', '06:00')).toBe(true);
    expect(inWindow(5 * 60 + 59, '22:00', '06:00')).toBe(true);
    expect(inWindow(6 * 60, '22:00', '06:00')).toBe(false);
    expect(inWindow(23 * 60 + 59, '00:00', '24:00')).toBe(true);
  });

  it('a night window evaluated at 23:10 Shanghai time', async () => {
    const at2310 = Date.UTC(2026, 0, 5, 15, 10);
    expect(await pick({ timeOfDay: { from: '22:00', to: '06:00' } }, { now: at2310 })).toBe('yes');
    expect(await pick({ timeOfDay: { from: '22:00', to: '06:00' } }, { now: MONDAY_0230Z })).toBe('no');
  });
});

describe('branch on numbers and variables', () => {
  it('caller and called tests: equals, startsWith, in, matches', async () => {
    expect(await pick({ caller: { startsWith: '138' } })).toBe('yes');
    expect(await pick({ caller: { equals: '138' } })).toBe('no');
    expect(await pick({ caller: { in: ['1', '13800138000'] } })).toBe('yes');
    expect(await pick({ called: { matches: '^021\\d{8}$' } })).toBe('yes');
    expect(await pick({ called: { matches: '^010' } })).toBe('no');
    expect(await pick({ caller: { startsWith: '1', equals: '2' } })).toBe('no'); // every test given must hold
  });

  it('variable tests, exists, and all/any/not', async () => {
    expect(await pick({ var: 'tier', equals: 'vip' }, { vars: { tier: 'vip' } })).toBe('yes');
    expect(await pick({ var: 'tier', exists: true })).toBe('no');
    expect(await pick({ var: 'tier', exists: false })).toBe('yes');
    expect(await pick({ any: [{ var: 'x', exists: true }, { caller: { startsWith: '13' } }] })).toBe('yes');
    expect(await pick({ not: { caller: { startsWith: '13' } } })).toBe('no');
  });

  it('the first rule that holds wins and the path records its index', async () => {
    const r = await runFlow(
      new ScriptedCall(),
      flowOf({
        b: {
          type: 'branch',
          conditions: [
            { when: { caller: { equals: 'nobody' } }, next: 'one' },
            { when: { caller: { startsWith: '138' } }, next: 'two' },
            { when: { caller: { startsWith: '1' } }, next: 'one' },
          ],
          default: 'one',
        },
        one: { type: 'hangup' },
        two: { type: 'hangup' },
      }),
      new FakeFlowHost(),
    );
    expect(r.path[0]).toMatchObject({ outcome: 'matched', detail: { rule: 1 } });
    expect(r.path[1].node).toBe('two');
  });
});

describe('setVar', () => {
  it('renders every value against the variables as they were before the node', async () => {
    const r = await runFlow(
      new ScriptedCall(),
      flowOf({ s: { type: 'setVar', vars: { a: 'x{{vars.b}}', b: 'y{{vars.a}}' }, next: 'e' }, e: { type: 'hangup' } }),
      new FakeFlowHost(),
      { vars: { a: '1', b: '2' } },
    );
    expect(r.vars).toEqual({ a: 'x2', b: 'y1' });
    expect(r.path[0]).toMatchObject({ outcome: 'set', detail: { vars: ['a', 'b'] } });
  });

  it('caps variable values at 1000 characters', async () => {
    const r = await runFlow(new ScriptedCall(), flowOf({ s: { type: 'setVar', vars: { a: 'z'.repeat(1500) }, next: 'e' }, e: { type: 'hangup' } }), new FakeFlowHost());
    expect(r.vars.a).toHaveLength(1000);
  });
});

describe('hangup', () => {
  it('ends the call with the node’s reason (default flow-complete)', async () => {
    const c1 = new ScriptedCall();
    await runFlow(c1, flowOf({ h: { type: 'hangup', reason: 'closed' } }), new FakeFlowHost());
    expect(c1.opsOf('hangup')).toEqual([{ op: 'hangup', reason: 'closed' }]);
    const c2 = new ScriptedCall();
    await runFlow(c2, flowOf({ h: { type: 'hangup' } }), new FakeFlowHost());
    expect(c2.opsOf('hangup')).toEqual([{ op: 'hangup', reason: 'flow-complete' }]);
  });
});
