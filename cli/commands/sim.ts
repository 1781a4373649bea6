// `hotline sim gateway|agent|run|schema`: simulated gateways and agent softphones against any SIP server, and scenario runs with reports (DESIGN.md §3).
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import type { AudioSpec, SpeechSynth } from '../../simulator/audio.ts';
import { AudioLibrary, parseAudioSpec } from '../../simulator/audio.ts';
import { AgentSimulator } from '../../simulator/agent.ts';
import type { SimCall, SimCallResult } from '../../simulator/call.ts';
import { ScenarioError, SimulatorError } from '../../simulator/errors.ts';
import type { CallerIdSource, DtmfStep } from '../../simulator/gateway.ts';
import { GatewaySimulator } from '../../simulator/gateway.ts';
import type { PhoneBehaviour } from '../../simulator/phone.ts';
import { formatProgress } from '../../simulator/report.ts';
import { localAddressFor, runScenario } from '../../simulator/run.ts';
import { SCENARIO_SCHEMA } from '../../simulator/scenario-schema.ts';
import { expandExtensions, loadScenario } from '../../simulator/scenario.ts';
import type { ServerHandle, StartServer } from '../../simulator/server.ts';
import { parseHostPort } from '../../simulator/server.ts';

/** Where `server.inProcess: true` scenarios get their server: a module exporting `startServer: StartServer` (the composition root). */
export const IN_PROCESS_SERVER_MODULE = '../server/sim-hook.ts';
/** The embedded TTS module (`sharedEmbeddedTts()`), loaded only when a scenario speaks. */

/** What the sim command needs from the rest of the house (injected so tests and the demo can swap them). */
export interface SimCommandDeps {
  /** Starts an in-process server for `server.inProcess` scenarios. */
  startServer?: () => Promise<StartServer | undefined>;
  /** Speech for `speech:` audio. */
  speech?: () => Promise<SpeechSynth | undefined>;
  /** Output (stdout, stderr). */
  out?: (s: string) => void;
  err?: (s: string) => void;
}

const USAGE = `usage:
  hotline sim gateway --server HOST:PORT --domain DOMAIN --user USER --password PASS [options]
      registers a gateway with N lines; answers calls the server places (customer phones);
      with --call NUMBER places calls and exits when they have ended
      --lines N (8)  --bind HOST:PORT  --expires SEC (300)  --no-register
      --call NUMBER  --calls N (1)  --rate CALLS/S (1)  --talk SEC (10)  --max-ring SEC
      --caller NUMBER | --callers N1,N2,… | --random-callers PREFIX
      --audio tone:600|wav:FILE|speech:TEXT|silence  --dtmf DIGITS@MS[,DIGITS@MS…]  --dtmf-mode rfc4733|inband
      --answer answer|decline|busy|no-answer  --ring MS (2000)  --customer-talk SEC
      --record DIR  --duration SEC (run time without --call; default until Ctrl-C)  --rtp-ports LOW-HIGH (30000-39999)
  hotline sim agent --server HOST:PORT --domain DOMAIN --ext 100[,101|200-209] --password PASS [options]
      registers softphones (PASS may contain {ext}) and treats calls as told, until Ctrl-C or --duration
      --answer answer|decline|busy|no-answer  --ring MS (1000)  --talk SEC  --audio SPEC (tone:1000)
      --hold AFTER_MS:DURATION_MS  --record DIR  --bind HOST:PORT  --expires SEC  --duration SEC  --rtp-ports LOW-HIGH
  hotline sim run FILE.yaml [--out DIR] [--server HOST:PORT] [--mini-server] [--quiet] [--rtp-ports LOW-HIGH]
      runs a scenario; writes report.json, report.md and SVG charts to --out; exit 1 when an expectation fails
      --mini-server: server.inProcess scenarios run against the simulator's minimal test server
  hotline sim schema        prints the scenario JSON Schema`;

function num(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new TypeError(`${flag}: expected a non-negative number, got "${v}"`);
  return n;
}

function behaviourFlags(v: { answer?: string; ring?: string; talk?: string; hold?: string; audio?: string }, ringDefault: number, talk: string | undefined): PhoneBehaviour {
  const action = (v.answer ?? 'answer') as PhoneBehaviour['action'];
  if (!['answer', 'decline', 'busy', 'no-answer'].includes(action)) throw new TypeError(`--answer: expected answer, decline, busy or no-answer, got "${v.answer}"`);
  const b: PhoneBehaviour = { action, ringMs: num(v.ring, '--ring', ringDefault) };
  if (talk !== undefined) b.talkMs = Math.round(num(talk, '--talk', 0) * 1000);
  if (v.hold !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(v.hold);
    if (!m) throw new TypeError(`--hold: expected AFTER_MS:DURATION_MS, got "${v.hold}"`);
    b.hold = { afterMs: Number(m[1]), durationMs: Number(m[2]) };
  }
  if (v.audio !== undefined) b.audio = parseAudioSpec(v.audio);
  return b;
}

/** `LOW-HIGH` RTP ports (default 30000-39999, clear of the server's 20000-29999). @throws TypeError naming the flag. */
function portRange(text: string | undefined): { min: number; max: number } {
  if (text === undefined) return { min: 30000, max: 39999 };
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(min >= 1024 && max <= 65535 && max - min >= 3)) throw new TypeError(`--rtp-ports: expected LOW-HIGH within 1024-65535, got "${text}"`);
  return { min, max };
}

function parseDtmf(text: string | undefined, mode: string | undefined): DtmfStep[] {
  if (text === undefined) return [];
  if (mode !== undefined && mode !== 'rfc4733' && mode !== 'inband') throw new TypeError(`--dtmf-mode: expected rfc4733 or inband, got "${mode}"`);
  return text.split(',').map((part) => {
    const m = /^([0-9*#A-Da-d]+)(?:@(\d+))?$/.exec(part);
    if (!m) throw new TypeError(`--dtmf: expected DIGITS@MS, got "${part}"`);
    return { digits: m[1], atMs: m[2] === undefined ? 2000 : Number(m[2]), mode: mode as DtmfStep['mode'] };
  });
}

function describeResult(r: SimCallResult): string {
  const heard = r.heard.map((h) => `${h.label} ${((h.voicedFrames * 20) / 1000).toFixed(1)}s voiced`).join(', ');
  const q = r.quality ? ` loss ${r.quality.lossPercent.toFixed(2)}% jitter ${r.quality.jitterMs.toFixed(1)}ms MOS ${r.quality.mos.toFixed(2)}` : '';
  return `${r.outcome}${r.status && r.status !== 200 ? ` ${r.status}` : ''} (${r.endReason ?? ''}${r.talkMs !== undefined ? `, talked ${(r.talkMs / 1000).toFixed(1)}s` : ''})${q}${heard ? ` — heard: ${heard}` : ''}${r.digitsHeard ? ` keys ${r.digitsHeard}` : ''}${r.recording ? ` → ${r.recording}` : ''}`;
}

/** Resolves on SIGINT/SIGTERM or after `seconds` (when given). */
function waitForStop(seconds: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
      resolve(why);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const timer = seconds !== undefined ? setTimeout(() => done('duration'), seconds * 1000) : undefined;
  });
}

async function speechLibrary(deps: SimCommandDeps, specs: readonly (AudioSpec | undefined)[]): Promise<AudioLibrary> {
  const needs = specs.some((s) => s?.kind === 'speech');
  return new AudioLibrary({ speech: needs ? await deps.speech?.() : undefined });
}

async function gatewayCmd(args: string[], deps: Required<Pick<SimCommandDeps, 'out' | 'err'>> & SimCommandDeps): Promise<number> {
  const { values: v } = parseFlags(args, {
    server: { type: 'string' },
    domain: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    lines: { type: 'string' },
    bind: { type: 'string' },
    expires: { type: 'string' },
    'no-register': { type: 'boolean' },
    call: { type: 'string' },
    calls: { type: 'string' },
    rate: { type: 'string' },
    talk: { type: 'string' },
    'max-ring': { type: 'string' },
    caller: { type: 'string' },
    callers: { type: 'string' },
    'random-callers': { type: 'string' },
    audio: { type: 'string' },
    dtmf: { type: 'string' },
    'dtmf-mode': { type: 'string' },
    answer: { type: 'string' },
    ring: { type: 'string' },
    'customer-talk': { type: 'string' },
    record: { type: 'string' },
    duration: { type: 'string' },
    'rtp-ports': { type: 'string' },
  });
  for (const f of ['server', 'domain', 'user', 'password'] as const) if (!v[f]) throw new TypeError(`--${f} is required\n\n${USAGE}`);
  const server = parseHostPort(v.server as string);
  const bind = v.bind ? parseHostPort(v.bind, 0) : { host: await localAddressFor(server.host, server.port), port: 0 };
  const callerIds: CallerIdSource = v.callers
    ? { kind: 'list', numbers: v.callers.split(',') }
    : v['random-callers'] !== undefined
      ? { kind: 'random', prefix: v['random-callers'] }
      : { kind: 'fixed', number: v.caller ?? '+15550100' };
  const audio = v.audio ? parseAudioSpec(v.audio) : undefined;
  const customer = behaviourFlags({ answer: v.answer, ring: v.ring }, 2000, v['customer-talk']);
  const gw = new GatewaySimulator({
    server,
    domain: v.domain as string,
    username: v.user as string,
    password: v.password as string,
    lines: num(v.lines, '--lines', 8),
    bind,
    register: !v['no-register'],
    registration: { expires: num(v.expires, '--expires', 300) },
    callerIds,
    callerAudio: audio ?? { kind: 'tone', frequencies: [600] },
    customer,
    recordDir: v.record,
    rtpPorts: portRange(v['rtp-ports']),
    audio: await speechLibrary(deps, [audio]),
  });
  gw.keepFinished = false;
  try {
    const reg = await gw.start();
    if (reg) {
      if (!reg.ok) {
        deps.err(`gateway ${v.user}@${v.domain}: registration refused (${reg.reason ?? reg.status})\n`);
        return 1;
      }
      deps.out(`gateway ${v.user}@${v.domain} registered from ${bind.host}:${gw.port} (expires ${reg.expires} s), ${gw.options.lines} lines\n`);
    } else deps.out(`gateway on ${bind.host}:${gw.port} (not registering), ${gw.options.lines} lines\n`);
    if (v.call === undefined) {
      deps.out('answering calls from the server as customer phones; Ctrl-C to stop\n');
      let n = 0;
      const seen = new Set<SimCall>();
      const watch = (c: SimCall): void => {
        seen.add(c);
        const i = ++n;
        deps.out(`call ${i}: server → ${c.to} ringing\n`);
        void c.ended.then((r) => {
          seen.delete(c);
          deps.out(`call ${i}: ${describeResult(r)}\n`);
        });
      };
      const timer = setInterval(() => {
        for (const c of gw.calls) if (!seen.has(c)) watch(c);
      }, 50);
      const why = await waitForStop(v.duration !== undefined ? num(v.duration, '--duration', 0) : undefined);
      clearInterval(timer);
      deps.out(`stopping (${why})\n`);
      return 0;
    }
    const total = Math.max(1, Math.round(num(v.calls, '--calls', 1)));
    const rate = num(v.rate, '--rate', 1) || 1;
    const dtmf = parseDtmf(v.dtmf, v['dtmf-mode']);
    const talkMs = Math.round(num(v.talk, '--talk', 10) * 1000);
    const ended: Array<Promise<SimCallResult | undefined>> = [];
    let answered = 0;
    const stop = new AbortController();
    const onInt = (): void => stop.abort();
    process.once('SIGINT', onInt);
    for (let i = 1; i <= total && !stop.signal.aborted; i++) {
      if (i > 1) await new Promise((r) => setTimeout(r, 1000 / rate));
      try {
        const call = await gw.placeCall({
          number: v.call,
          talkMs,
          dtmf,
          maxRingMs: v['max-ring'] ? num(v['max-ring'], '--max-ring', 0) * 1000 : undefined,
          events: {
            answered: (c) => {
              answered++;
              deps.out(`call ${i}: answered in ${Math.round((c.answeredMs ?? 0) - c.createdMs)} ms\n`);
            },
          },
        });
        deps.out(`call ${i}: ${call.from} → ${v.call}@${v.domain}\n`);
        ended.push(call.ended.then((r) => (deps.out(`call ${i}: ${describeResult(r)}\n`), r)));
      } catch (err) {
        deps.err(`call ${i}: not placed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    if (stop.signal.aborted) await gw.hangupAll();
    await Promise.all(ended);
    process.off('SIGINT', onInt);
    deps.out(`${answered} of ${total} calls answered\n`);
    return answered === total ? 0 : 1;
  } finally {
    await gw.close();
  }
}

async function agentCmd(args: string[], deps: Required<Pick<SimCommandDeps, 'out' | 'err'>> & SimCommandDeps): Promise<number> {
  const { values: v } = parseFlags(args, {
    server: { type: 'string' },
    domain: { type: 'string' },
    ext: { type: 'string' },
    password: { type: 'string' },
    answer: { type: 'string' },
    ring: { type: 'string' },
    talk: { type: 'string' },
    audio: { type: 'string' },
    hold: { type: 'string' },
    record: { type: 'string' },
    bind: { type: 'string' },
    expires: { type: 'string' },
    duration: { type: 'string' },
    'rtp-ports': { type: 'string' },
  });
  for (const f of ['server', 'domain', 'ext', 'password'] as const) if (!v[f]) throw new TypeError(`--${f} is required\n\n${USAGE}`);
  const server = parseHostPort(v.server as string);
  const bind = v.bind ? parseHostPort(v.bind, 0) : { host: await localAddressFor(server.host, server.port), port: 0 };
  const exts = expandExtensions(v.ext as string);
  if (!exts || exts.length === 0) throw new TypeError(`--ext: expected 100, 100,101 or 200-209, got "${v.ext}"`);
  const behaviour = behaviourFlags(v, 1000, v.talk);
  const agents = new AgentSimulator({
    server,
    domain: v.domain as string,
    bind,
    extensions: exts.map((e) => ({ extension: e, password: (v.password as string).replaceAll('{ext}', e) })),
    behaviour,
    recordDir: v.record,
    registration: { expires: num(v.expires, '--expires', 300) },
    rtpPorts: portRange(v['rtp-ports']),
    audio: await speechLibrary(deps, [behaviour.audio]),
  });
  agents.keepFinished = false;
  agents.events = {
    ringing: (phone, call) => {
      deps.out(`${phone.extension}: ringing, call from ${call.from}\n`);
      void call.ended.then((r) => deps.out(`${phone.extension}: ${describeResult(r)}\n`));
    },
    refused: (phone, status, from) => deps.out(`${phone.extension}: refused ${status} (call from ${from})\n`),
  };
  try {
    const outcomes = await agents.start();
    let ok = 0;
    agents.phones.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) ok++;
      deps.out(`${p.extension}@${v.domain}: ${o.ok ? `registered (expires ${o.expires} s)` : `registration refused (${o.reason ?? o.status})`}\n`);
    });
    if (ok === 0) return 1;
    deps.out(`${ok} softphone(s) on ${bind.host}:${agents.port}; behaviour ${behaviour.action} after ${behaviour.ringMs} ms; Ctrl-C to stop\n`);
    const why = await waitForStop(v.duration !== undefined ? num(v.duration, '--duration', 0) : undefined);
    deps.out(`stopping (${why})\n`);
    return 0;
  } finally {
    await agents.close();
  }
}

async function runCmd(args: string[], deps: Required<Pick<SimCommandDeps, 'out' | 'err'>> & SimCommandDeps): Promise<number> {
  const { values: v, positionals } = parseFlags(args, {
    out: { type: 'string' },
    server: { type: 'string' },
    'mini-server': { type: 'boolean' },
    quiet: { type: 'boolean' },
    'rtp-ports': { type: 'string' },
  });
  if (positionals.length !== 1) throw new TypeError(`sim run: expected one scenario file\n\n${USAGE}`);
  let scenario;
  try {
    scenario = await loadScenario(positionals[0]);
  } catch (err) {
    if (err instanceof ScenarioError) {
      deps.err(`${positionals[0]}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let server: ServerHandle | undefined;
  if (v.server) server = { sip: parseHostPort(v.server), domain: scenario.server.domain ?? '' };
  let startServer: StartServer | undefined;
  if (!server && scenario.server.inProcess) {
    if (v['mini-server']) startServer = (await import('../../simulator/testing/mini-server.ts')).miniServerStarter();
    else startServer = await deps.startServer?.();
    if (!startServer) {
      deps.err('this scenario needs an in-process server, which this build cannot start yet: use --server HOST:PORT or --mini-server\n');
      return 2;
    }
  }
  const needsSpeech = scenario.callers.some((c) => c.audio.kind === 'speech') || scenario.agents.some((a) => a.audio.kind === 'speech');
  const speech = needsSpeech ? await deps.speech?.() : undefined;
  const stop = new AbortController();
  const onInt = (): void => {
    deps.err('\nstopping: hanging up the calls in progress…\n');
    stop.abort();
  };
  process.once('SIGINT', onInt);
  const tty = process.stderr.isTTY === true;
  try {
    const { report, files } = await runScenario(scenario, {
      server,
      startServer,
      speech,
      outDir: v.out,
      rtpPorts: v['rtp-ports'] === undefined ? undefined : portRange(v['rtp-ports']),
      signal: stop.signal,
      log: v.quiet ? undefined : (line) => deps.err(`${line}\n`),
      onProgress: v.quiet ? undefined : (p) => deps.err(tty ? `\r${formatProgress(p)}\x1b[K` : `${formatProgress(p)}\n`),
    });
    if (!v.quiet && tty) deps.err('\n');
    const m = report.metrics;
    const ms = (x: number | null): string => (x === null ? '—' : `${Math.round(x)} ms`);
    deps.out(
      `${report.scenario.name}: ${report.totals.placed} placed, ${report.totals.answered} answered (ASR ${m.answerSeizureRatio === null ? '—' : (m.answerSeizureRatio * 100).toFixed(1)} %), ${report.totals.bridged} bridged; setup p50 ${ms(m.setupLatencyP50Ms)} p95 ${ms(m.setupLatencyP95Ms)} p99 ${ms(m.setupLatencyP99Ms)}\n`,
    );
    for (const f of report.failures) deps.out(`  failure: ${f.reason} ×${f.count}\n`);
    for (const e of report.expectations) deps.out(`  ${e.pass ? 'pass' : 'FAIL'} ${e.metric} ${e.text} (actual ${e.actual === null ? 'not measured' : Math.round(e.actual * 1000) / 1000})\n`);
    if (files) deps.out(`report: ${files.markdown} (JSON ${files.json}, charts ${files.latencySvg}, ${files.concurrencySvg})\n`);
    deps.out(`${report.passed ? 'PASSED' : 'FAILED'}\n`);
    return report.passed ? 0 : 1;
  } finally {
    process.off('SIGINT', onInt);
  }
}

/** Loads the composition root's in-process server hook, when the build has one. */
async function loadStartServer(): Promise<StartServer | undefined> {
  try {
    // A literal specifier, so the single-binary bundle includes the hook.
    const m = (await import('../server/sim-hook.ts')) as { startServer?: StartServer };
    return typeof m.startServer === 'function' ? m.startServer : undefined;
  } catch {
    return undefined;
  }
}

/** The embedded TTS (Flite) as a {@link SpeechSynth}, when the build has it. */
async function loadSpeech(): Promise<SpeechSynth | undefined> {
  interface Tts {
    synthesize(text: string, sel: { language?: string; voice?: string }): Promise<{ pcm: Int16Array | Float32Array; sampleRate: number }>;
  }
  try {
    const m = (await import('../../ivr/tts/embedded/embedded.ts')) as {
      sharedEmbeddedTts?: () => Tts;
      closeEmbeddedTts?: () => Promise<void>;
    };
    const tts = m.sharedEmbeddedTts?.();
    if (!tts) return undefined;
    process.once('beforeExit', () => void m.closeEmbeddedTts?.());
    return { synthesize: (text, voice) => tts.synthesize(text, { language: 'en', voice }) };
  } catch {
    return undefined;
  }
}

/** Builds the `sim` command with its collaborators. */
export function createSimCommand(deps: SimCommandDeps = {}): Command {
  return {
    summary: 'simulated gateways and agents; scenario runs with reports',
    async run(args: string[]): Promise<number> {
      const d = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s), ...deps };
      const [sub, ...rest] = args;
      try {
        switch (sub) {
          case 'gateway':
            return await gatewayCmd(rest, d);
          case 'agent':
            return await agentCmd(rest, d);
          case 'run':
            return await runCmd(rest, d);
          case 'schema':
            d.out(`${JSON.stringify(SCENARIO_SCHEMA, null, 2)}\n`);
            return 0;
          case undefined:
          case 'help':
          case '--help':
          case '-h':
            d.out(`${USAGE}\n`);
            return sub === undefined ? 2 : 0;
          default:
            d.err(`hotline sim: unknown subcommand "${sub}"\n\n${USAGE}\n`);
            return 2;
        }
      } catch (err) {
        if (err instanceof TypeError || err instanceof SimulatorError) {
          d.err(`hotline sim ${sub}: ${err.message}\n`);
          return 2;
        }
        throw err;
      }
    },
  };
}

/** `hotline sim` with the in-process server hook and the embedded TTS loaded on demand. */
export const command: Command = createSimCommand({ startServer: loadStartServer, speech: loadSpeech });
