// A small call server assembled from engine pieces for simulator tests: SipEngine (registrar with digest auth) + CallManager whose inbound handler answers, plays a greeting tone, optionally collects keys, and dials a registered agent with recording.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Call } from '../../engine/call/call.ts';
import { CallManager } from '../../engine/call/call.ts';
import type { CollectOutcome, DialOutcome } from '../../engine/call/types.ts';
import { SipEngine } from '../../engine/sip/engine.ts';
import { InMemoryCredentials } from '../../engine/sip/registrar/index.ts';
import type { IncomingCall } from '../../engine/sip/ua/invite.ts';
import { tonePcm } from '../audio.ts';
import type { InProcessServerRequest, ServerHandle, StartServer } from '../server.ts';

/** Options of {@link startMiniServer}. */
export interface MiniServerOptions {
  domain: string;
  gateway: { username: string; password: string };
  agents: ReadonlyArray<{ extension: string; password: string }>;
  /** Numbers answered; other Request-URIs get 404. */
  numbers: readonly string[];
  /** The greeting: a tone of this frequency and length. */
  greeting: { hz: number; ms: number };
  /** Collect keys after the greeting (and before dialing). */
  collect: { maxDigits: number; timeoutMs: number } | undefined;
  /** Ring time allowed per agent, ms. */
  dialTimeoutMs: number;
  /** Record bridged calls into this directory. */
  recordDir: string | undefined;
  rtpPorts: { min: number; max: number };
  /** Registrar's shortest expiration, s (low for refresh tests). */
  minExpires: number;
  /** Skip dialing (answer, greet, collect, then hang up after `holdMs`). */
  dial: boolean;
  /** Without dialing: how long the call stays up after the greeting, ms. */
  holdMs: number;
  /** Sees each accepted call (tests hook digits and legs here). */
  onCall: ((call: Call) => void) | undefined;
}

/** Defaults of {@link MiniServerOptions}. */
export const MINI_SERVER_DEFAULTS: Readonly<Omit<MiniServerOptions, 'domain' | 'gateway' | 'agents'>> = Object.freeze({
  numbers: Object.freeze(['02188886666']),
  greeting: Object.freeze({ hz: 440, ms: 600 }),
  collect: undefined,
  dialTimeoutMs: 5000,
  recordDir: undefined,
  rtpPorts: Object.freeze({ min: 18000, max: 18999 }),
  minExpires: 1,
  dial: true,
  holdMs: 2000,
  onCall: undefined,
});

/** What the server did with one inbound call. */
export interface MiniCallOutcome {
  id: string;
  caller: string;
  called: string;
  rejected?: number;
  greeting?: string;
  collected?: CollectOutcome;
  agent?: string;
  dial?: DialOutcome['outcome'];
  dialStatus?: number;
  endedBy?: 'caller' | 'callee' | 'system';
  recording?: string;
  error?: string;
}

/** A running mini server. */
export interface MiniServer extends ServerHandle {
  readonly engine: SipEngine;
  readonly manager: CallManager;
  readonly credentials: InMemoryCredentials;
  /** Finished calls, in order of ending. */
  readonly outcomes: MiniCallOutcome[];
  /** Calls in progress. */
  readonly live: Set<Call>;
  /** Resolves once `n` calls have finished (rejects after `ms`). */
  waitForOutcomes(n: number, ms?: number): Promise<MiniCallOutcome[]>;
  close(): Promise<void>;
}

function userOf(uri: unknown): string {
  const u = uri as { user?: string; number?: string };
  return u.user ?? u.number ?? '';
}

/** Starts the mini server on 127.0.0.1 (a free SIP port; RTP from `rtpPorts`). */
export async function startMiniServer(options: Pick<MiniServerOptions, 'domain' | 'gateway' | 'agents'> & Partial<MiniServerOptions>): Promise<MiniServer> {
  const o: MiniServerOptions = { ...MINI_SERVER_DEFAULTS, ...options };
  const credentials = new InMemoryCredentials().addDomain(o.domain).addUser(o.domain, o.gateway.username, o.gateway.password);
  for (const a of o.agents) credentials.addUser(o.domain, a.extension, a.password);
  const outcomes: MiniCallOutcome[] = [];
  const live = new Set<Call>();
  const waiters: Array<() => void> = [];
  let next = 0;
  const engine = new SipEngine(
    { credentials, onIncoming: (inc) => void handle(inc) },
    { ua: { transport: { host: '127.0.0.1', port: 0, tcp: false } }, keepalive: { enabled: false }, registrar: { minExpires: o.minExpires } },
  );
  const manager = new CallManager(engine.sessions, { rtpAddress: '127.0.0.1', bindAddress: '127.0.0.1', rtpPorts: o.rtpPorts });

  const done = (r: MiniCallOutcome): void => {
    outcomes.push(r);
    for (const w of waiters.splice(0)) w();
  };

  async function handle(inc: IncomingCall): Promise<void> {
    const called = userOf(inc.request.uri);
    const caller = userOf(inc.request.from().uri);
    const out: MiniCallOutcome = { id: randomUUID(), caller, called };
    if (!o.numbers.includes(called)) {
      inc.reject(404, 'Not Found');
      done({ ...out, rejected: 404 });
      return;
    }
    let call: Call;
    try {
      call = await manager.accept(inc, { id: out.id, caller, called, calledIdentity: `${called}@${o.domain}` });
    } catch (err) {
      done({ ...out, error: String(err) });
      return;
    }
    live.add(call);
    o.onCall?.(call);
    try {
      await call.answer();
      const g = await call.play({ key: `greeting-${o.greeting.hz}-${o.greeting.ms}`, render: async () => tonePcm([o.greeting.hz], o.greeting.ms) });
      out.greeting = g.reason;
      if (o.collect) {
        out.collected = await call.collect({ minDigits: 1, maxDigits: o.collect.maxDigits, firstDigitTimeoutMs: o.collect.timeoutMs, interDigitTimeoutMs: o.collect.timeoutMs });
      }
      if (!o.dial) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, o.holdMs);
          call.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
        await call.hangup('done');
      } else {
        // Round-robin over the agents that are registered now.
        let targets: Awaited<ReturnType<SipEngine['registrar']['lookup']>> = [];
        let ext = '';
        for (let i = 0; i < o.agents.length && targets.length === 0; i++) {
          ext = o.agents[(next + i) % o.agents.length].extension;
          targets = await engine.registrar.lookup(`sip:${ext}@${o.domain}`);
        }
        next++;
        if (targets.length === 0) {
          out.dial = 'failed';
          await call.hangup('no agent registered');
        } else {
          out.agent = ext;
          const dial = await call.dial({
            targets: targets.map((t) => ({ uri: t.requestUri, dest: t.destination as { transport: 'udp' | 'tcp'; address: string; port: number }, label: ext })),
            timeoutMs: o.dialTimeoutMs,
            from: `<sip:${caller}@${o.domain}>`,
            record: o.recordDir ? { path: path.join(o.recordDir, `${out.id}.wav`) } : undefined,
          });
          out.dial = dial.outcome;
          if (dial.outcome !== 'answered') {
            out.dialStatus = dial.status;
            await call.hangup(`agent ${dial.outcome}`);
          }
        }
      }
      const end = await call.waitForEnd();
      out.endedBy = end.endedBy;
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
      await call.hangup('error').catch(() => undefined);
    }
    await call.ended;
    out.recording = call.recording?.path;
    live.delete(call);
    done(out);
  }

  await engine.listen();
  return {
    sip: { host: '127.0.0.1', port: engine.port },
    domain: o.domain,
    gateway: o.gateway,
    agents: o.agents,
    numbers: o.numbers,
    engine,
    manager,
    credentials,
    outcomes,
    live,
    waitForOutcomes(n: number, ms = 10_000): Promise<MiniCallOutcome[]> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`mini server: ${outcomes.length}/${n} calls finished after ${ms} ms`)), ms);
        const check = (): void => {
          if (outcomes.length >= n) {
            clearTimeout(timer);
            resolve(outcomes);
          } else waiters.push(check);
        };
        check();
      });
    },
    async close(): Promise<void> {
      await manager.close();
      await engine.close();
    },
  };
}

/**
 * A {@link StartServer} hook that provisions a mini server from a scenario's request (gateway password
 * `mini-secret` when the scenario gives none): lets `server.inProcess` scenarios run without the full server.
 */
export function miniServerStarter(options: Partial<MiniServerOptions> = {}): StartServer {
  return async (req: InProcessServerRequest) => {
    const s = await startMiniServer({
      ...options,
      domain: req.domain,
      gateway: { username: req.gateway.username, password: req.gateway.password ?? 'mini-secret' },
      agents: req.agents,
      numbers: req.numbers,
    });
    return { ...s, info: { server: 'simulator mini server (greeting tone, round-robin dial)' } };
  };
}
