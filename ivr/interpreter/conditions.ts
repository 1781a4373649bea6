// Evaluation of branch conditions: caller/called/variable string tests, and tenant-local time of day and day of week (IANA time zones via Intl; ISO 8601 weekdays).
import type { Condition, DayName, StringTest } from '../schema/types.ts';

/** What conditions look at. */
export interface ConditionScope {
  caller: string;
  called: string;
  vars: Readonly<Record<string, string>>;
  /** ms since the epoch. */
  now: number;
  /** IANA time zone. */
  timezone: string;
}

/** Local wall-clock reading of an instant in a time zone. */
export interface LocalTime {
  day: DayName;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, DayName> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/**
 * Reads the local day and time of `now` in `timezone`.
 * @throws {RangeError} for an unknown time zone
 */
export function localTime(now: number, timezone: string): LocalTime {
  let f = formatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  let day: DayName = 'mon';
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(now)) {
    if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 'mon';
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minutes: hour * 60 + minute };
}

function parseHm(hm: string): number {
  return Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
}

/** `from` inclusive, `to` exclusive; a window with `to` < `from` wraps past midnight. */
export function inWindow(minutes: number, from: string, to: string): boolean {
  const a = parseHm(from);
  const b = parseHm(to);
  return a <= b ? minutes >= a && minutes < b : minutes >= a || minutes < b;
}

const regexCache = new Map<string, RegExp>();

function testString(value: string | undefined, t: StringTest): boolean {
  if (t.exists !== undefined && t.exists !== (value !== undefined && value !== '')) return false;
  const v = value ?? '';
  if (t.equals !== undefined && v !== t.equals) return false;
  if (t.startsWith !== undefined && !v.startsWith(t.startsWith)) return false;
  if (t.in !== undefined && !t.in.includes(v)) return false;
  if (t.matches !== undefined) {
    let re = regexCache.get(t.matches);
    if (re === undefined) {
      re = new RegExp(t.matches, 'u');
      if (regexCache.size > 1000) regexCache.clear();
      regexCache.set(t.matches, re);
    }
    if (!re.test(v)) return false;
  }
  return true;
}

/** Evaluates a condition (validated by the flow schema). */
export function evaluate(c: Condition, scope: ConditionScope): boolean {
  if ('caller' in c) return testString(scope.caller, c.caller);
  if ('called' in c) return testString(scope.called, c.called);
  if ('var' in c) return testString(Object.hasOwn(scope.vars, c.var) ? scope.vars[c.var] : undefined, c);
  if ('timeOfDay' in c) return inWindow(localTime(scope.now, scope.timezone).minutes, c.timeOfDay.from, c.timeOfDay.to);
  if ('dayOfWeek' in c) return c.dayOfWeek.includes(localTime(scope.now, scope.timezone).day);
  if ('all' in c) return c.all.every((s) => evaluate(s, scope));
  if ('any' in c) return c.any.some((s) => evaluate(s, scope));
  return !evaluate(c.not, scope);
}
