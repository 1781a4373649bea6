// Scenario files: YAML parsed with line positions, validated against the published schema and for meaning (faults as JSON Pointers with lines), normalised into a Scenario the runner executes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isNode, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { AudioSpec } from './audio.ts';
import { parseAudioSpec } from './audio.ts';
import type { ScenarioFault } from './errors.ts';
import { ScenarioError } from './errors.ts';
import type { CallerIdSource, DtmfStep } from './gateway.ts';
import { validateJson } from './json-schema.ts';
import type { PhoneBehaviour } from './phone.ts';
import type { Spread } from './random.ts';
import type { MetricName } from './scenario-schema.ts';
import { SCENARIO_SCHEMA } from './scenario-schema.ts';
import { parseHostPort } from './server.ts';

/** A simulated gateway of a scenario. */
export interface GatewaySpec {
  username: string;
  /** Absent when the in-process server issues it. */
  password: string | undefined;
  lines: number;
  register: boolean;
  registerExpiresSec: number;
  callerIds: CallerIdSource;
  customer: PhoneBehaviour;
}

/** A weighted agent behaviour. */
export type WeightedBehaviour = PhoneBehaviour & { weight: number };

/** A group of agent softphones of a scenario. */
export interface AgentGroupSpec {
  extensions: string[];
  /** Password per extension (`{ext}` replaced). */
  passwords: string[];
  behaviours: WeightedBehaviour[];
  audio: AudioSpec;
  registerExpiresSec: number;
}

/** One caller profile of the mix. */
export interface CallerProfile {
  weight: number;
  /** Called number (else the server's first number). */
  number: string | undefined;
  /** Hang up after talking this long, s (undefined: wait for the other side, bounded by maxCallSec). */
  talkSec: Spread | undefined;
  maxRingSec: number | undefined;
  audio: AudioSpec;
  dtmf: DtmfStep[];
}

/** A comparison on a report metric. */
export interface Expectation {
  metric: MetricName;
  op: '<=' | '>=' | '<' | '>' | '==';
  value: number;
  /** As written. */
  text: string;
}

/** A validated, normalised scenario. */
export interface Scenario {
  name: string;
  description: string | undefined;
  /** The file it came from, when any. */
  file: string | undefined;
  seed: number;
  server: { address: { host: string; port: number } | undefined; inProcess: boolean; domain: string | undefined; numbers: string[] };
  gateways: GatewaySpec[];
  agents: AgentGroupSpec[];
  load: { callsPerSecond: number; maxConcurrent: number; totalCalls: number | undefined; durationSec: number | undefined; maxCallSec: number };
  callers: CallerProfile[];
  checks: { callerTone: number | undefined; agentTone: number | undefined; greetingMinMs: number; toneMinMs: number };
  /** Recording directory (relative paths resolve against the report directory), or undefined. */
  record: string | true | undefined;
  rtpPorts: { min: number; max: number };
  expect: Expectation[];
}

/** Defaults the normaliser applies. */
export const SCENARIO_DEFAULTS = Object.freeze({
  seed: 1,
  lines: 30,
  registerExpiresSec: 300,
  maxConcurrentFactor: 1,
  maxCallSec: 120,
  customer: Object.freeze({ action: 'answer', ringMs: 2000 }) as PhoneBehaviour,
  agentBehaviour: Object.freeze({ action: 'answer', ringMs: 1000 }) as PhoneBehaviour,
  callerAudio: 'tone:600',
  agentAudio: 'tone:1000',
  greetingMinMs: 200,
  toneMinMs: 200,
  rtpPorts: Object.freeze({ min: 30000, max: 39999 }),
});

/** Largest number of extensions a range may expand to. */
const MAX_EXTENSIONS = 10_000;

/** Expands `"100"`, `"100-119"`, `"100,105-107"` or a list. @returns null when a range is malformed. */
export function expandExtensions(spec: string | readonly string[]): string[] | null {
  if (Array.isArray(spec)) return [...spec];
  const out: string[] = [];
  for (const part of (spec as string).split(',')) {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (b < a || b - a >= MAX_EXTENSIONS) return null;
    const width = m[1].length;
    for (let i = a; i <= b; i++) out.push(String(i).padStart(width, '0'));
  }
  return out;
}

type Raw = Record<string, unknown>;

function behaviourOf(raw: Raw | undefined, fallback: PhoneBehaviour): PhoneBehaviour {
  if (!raw) return { ...fallback };
  const b: PhoneBehaviour = { action: raw.action as PhoneBehaviour['action'], ringMs: (raw.ringMs as number | undefined) ?? fallback.ringMs };
  if (raw.talkSec !== undefined) b.talkMs = Math.round((raw.talkSec as number) * 1000);
  if (raw.hold !== undefined) b.hold = raw.hold as PhoneBehaviour['hold'];
  return b;
}

function parseExpectation(metric: MetricName, text: string): Expectation {
  const m = /^\s*(<=|>=|<|>|==)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text) as RegExpExecArray;
  return { metric, op: m[1] as Expectation['op'], value: Number(m[2]), text: text.trim() };
}

/**
 * Validates a scenario object (parsed YAML/JSON) and normalises it.
 * @throws {ScenarioError} `invalid` with every fault.
 */
export function normalizeScenario(input: unknown, file?: string): Scenario {
  const faults = validateJson(SCENARIO_SCHEMA, input);
  if (faults.length > 0) throw new ScenarioError('invalid', faults);
  const raw = input as Raw;
  const more: ScenarioFault[] = [];
  const serverRaw = raw.server as Raw;
  let address: { host: string; port: number } | undefined;
  if (serverRaw.address !== undefined) {
    try {
      address = parseHostPort(serverRaw.address as string);
    } catch (err) {
      more.push({ path: '/server/address', message: (err as Error).message });
    }
  }
  const inProcess = serverRaw.inProcess === true;
  if (!inProcess && address === undefined) more.push({ path: '/server', message: 'needs "address" (a running server) or "inProcess: true"' });
  if (inProcess && address !== undefined) more.push({ path: '/server', message: '"address" and "inProcess" exclude each other' });

  const gateways: GatewaySpec[] = (raw.gateways as Raw[]).map((g, i) => {
    const ids = g.callerIds as Raw | undefined;
    let callerIds: CallerIdSource = { kind: 'fixed', number: '+15550100' };
    if (ids?.fixed !== undefined) callerIds = { kind: 'fixed', number: ids.fixed as string };
    else if (ids?.list !== undefined) callerIds = { kind: 'list', numbers: ids.list as string[], order: (g.callerIdOrder as 'round-robin' | 'random' | undefined) ?? 'round-robin' };
    else if (ids?.random !== undefined) {
      const r = ids.random as Raw;
      callerIds = { kind: 'random', prefix: r.prefix as string | undefined, digits: r.digits as number | undefined };
    }
    if (g.password === undefined && !inProcess) more.push({ path: `/gateways/${i}`, message: 'missing "password" (only an in-process server can issue it)' });
    return {
      username: g.username as string,
      password: g.password as string | undefined,
      lines: (g.lines as number | undefined) ?? SCENARIO_DEFAULTS.lines,
      register: (g.register as boolean | undefined) ?? true,
      registerExpiresSec: (g.registerExpiresSec as number | undefined) ?? SCENARIO_DEFAULTS.registerExpiresSec,
      callerIds,
      customer: behaviourOf(g.customer as Raw | undefined, SCENARIO_DEFAULTS.customer),
    };
  });

  const seen = new Map<string, string>();
  const agents: AgentGroupSpec[] = ((raw.agents as Raw[] | undefined) ?? []).map((a, i) => {
    const exts = expandExtensions(a.extensions as string | string[]);
    if (exts === null) more.push({ path: `/agents/${i}/extensions`, message: `a range must go up and hold at most ${MAX_EXTENSIONS} extensions` });
    for (const e of exts ?? []) {
      const prev = seen.get(e);
      if (prev !== undefined) more.push({ path: `/agents/${i}/extensions`, message: `extension ${e} is also in ${prev}` });
      else seen.set(e, `/agents/${i}`);
    }
    if (a.behaviour !== undefined && a.behaviourMix !== undefined) more.push({ path: `/agents/${i}`, message: '"behaviour" and "behaviourMix" exclude each other' });
    const mix = a.behaviourMix as Raw[] | undefined;
    const behaviours: WeightedBehaviour[] = mix
      ? mix.map((b) => ({ ...behaviourOf(b, SCENARIO_DEFAULTS.agentBehaviour), weight: (b.weight as number | undefined) ?? 1 }))
      : [{ ...behaviourOf(a.behaviour as Raw | undefined, SCENARIO_DEFAULTS.agentBehaviour), weight: 1 }];
    const pw = a.password as string;
    return {
      extensions: exts ?? [],
      passwords: (exts ?? []).map((e) => pw.replaceAll('{ext}', e)),
      behaviours,
      audio: parseAudioSpec((a.audio as string | undefined) ?? SCENARIO_DEFAULTS.agentAudio),
      registerExpiresSec: (a.registerExpiresSec as number | undefined) ?? SCENARIO_DEFAULTS.registerExpiresSec,
    };
  });

  const loadRaw = raw.load as Raw;
  if (loadRaw.totalCalls === undefined && loadRaw.durationSec === undefined) {
    more.push({ path: '/load', message: 'must be bounded: give "totalCalls", "durationSec" or both' });
  }
  const totalLines = gateways.reduce((n, g) => n + g.lines, 0);
  const load = {
    callsPerSecond: loadRaw.callsPerSecond as number,
    maxConcurrent: (loadRaw.maxConcurrent as number | undefined) ?? totalLines,
    totalCalls: loadRaw.totalCalls as number | undefined,
    durationSec: loadRaw.durationSec as number | undefined,
    maxCallSec: (loadRaw.maxCallSec as number | undefined) ?? SCENARIO_DEFAULTS.maxCallSec,
  };

  const callers: CallerProfile[] = ((raw.callers as Raw[] | undefined) ?? [{}]).map((c, i) => {
    const talk = c.talkSec as Spread | undefined;
    if (talk !== undefined && typeof talk === 'object' && talk.min > talk.max) more.push({ path: `/callers/${i}/talkSec`, message: '"min" must not exceed "max"' });
    return {
      weight: (c.weight as number | undefined) ?? 1,
      number: c.number as string | undefined,
      talkSec: talk,
      maxRingSec: c.maxRingSec as number | undefined,
      audio: parseAudioSpec((c.audio as string | undefined) ?? SCENARIO_DEFAULTS.callerAudio),
      dtmf: ((c.dtmf as Raw[] | undefined) ?? []).map((d) => ({
        atMs: d.atMs as number,
        digits: d.digits as string,
        mode: d.mode as DtmfStep['mode'],
        durationMs: d.durationMs as number | undefined,
        gapMs: d.gapMs as number | undefined,
      })),
    };
  });
  const numbers = (serverRaw.numbers as string[] | undefined) ?? [];
  callers.forEach((c, i) => {
    if (c.number === undefined && numbers.length === 0 && !inProcess) more.push({ path: `/callers/${i}`, message: 'no "number", and the server lists no "numbers" to call' });
  });

  let rtpPorts: { min: number; max: number } = { ...SCENARIO_DEFAULTS.rtpPorts };
  if (raw.rtpPorts !== undefined) {
    const [lo, hi] = (raw.rtpPorts as string).split('-').map(Number);
    if (!(lo >= 1024 && hi <= 65535 && hi - lo >= 3)) more.push({ path: '/rtpPorts', message: 'must be LOW-HIGH within 1024-65535 with room for two pairs' });
    else rtpPorts = { min: lo, max: hi };
  }
  const checksRaw = (raw.checks as Raw | undefined) ?? {};
  const expectRaw = (raw.expect as Record<string, string> | undefined) ?? {};
  if (more.length > 0) throw new ScenarioError('invalid', more);
  return {
    name: (raw.name as string | undefined) ?? (file ? path.basename(file).replace(/\.ya?ml$|\.json$/, '') : 'scenario'),
    description: raw.description as string | undefined,
    file,
    seed: (raw.seed as number | undefined) ?? SCENARIO_DEFAULTS.seed,
    server: { address, inProcess, domain: serverRaw.domain as string | undefined, numbers },
    gateways,
    agents,
    load,
    callers,
    checks: {
      callerTone: checksRaw.callerTone as number | undefined,
      agentTone: checksRaw.agentTone as number | undefined,
      greetingMinMs: (checksRaw.greetingMinMs as number | undefined) ?? SCENARIO_DEFAULTS.greetingMinMs,
      toneMinMs: (checksRaw.toneMinMs as number | undefined) ?? SCENARIO_DEFAULTS.toneMinMs,
    },
    record: raw.record === true ? true : typeof raw.record === 'string' ? raw.record : undefined,
    rtpPorts,
    expect: Object.entries(expectRaw).map(([k, v]) => parseExpectation(k as MetricName, v)),
  };
}

/** The 1-based line of the node at a JSON Pointer, if the document has it. */
function lineOf(doc: Document, lc: LineCounter, pointer: string): number | undefined {
  const keys = pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k)), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Parses scenario text (YAML, so JSON too) and validates it; faults carry `(line N)`.
 * @throws {ScenarioError} `parse` (YAML syntax) or `invalid`.
 */
export function parseScenario(text: string, file?: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      'parse',
      doc.errors.map((e) => ({ path: '', message: `line ${lc.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}` })),
    );
  }
  try {
    return normalizeScenario(doc.toJS(), file);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    throw new ScenarioError(
      err.code,
      err.faults.map((f) => {
        const line = lineOf(doc, lc, f.path);
        return line === undefined ? f : { path: f.path, message: `${f.message} (line ${line})` };
      }),
    );
  }
}

/**
 * Reads and validates a scenario file.
 * @throws {ScenarioError} as {@link parseScenario}; the read error when the file cannot be read.
 */
export async function loadScenario(file: string): Promise<Scenario> {
  return parseScenario(await readFile(file, 'utf8'), file);
}
