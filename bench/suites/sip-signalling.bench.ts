// Signalling throughput over loopback with SIPp as the load: authenticated REGISTERs/s and INVITE-to-BYE
// calls/s of our engine (one Node process), side by side with SIPp against itself (its own ceiling).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchResult, BenchSuite } from '../harness.ts';
import { round } from '../harness.ts';
import { SIPP_SCENARIOS, runSipp, sippAvailable } from '../../test/peers/sipp.ts';

interface Server {
  port: number;
  stop(): Promise<{ cpuUserMs: number; cpuSystemMs: number }>;
}

const serverScript = fileURLToPath(new URL('../servers/sip-server.ts', import.meta.url));

async function startServer(users: number): Promise<Server> {
  const child = spawn(process.execPath, [serverScript], { env: { ...process.env, BENCH_USERS: String(users) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 10);
    child.once('exit', (code) => {
      clearInterval(t);
      reject(new Error(`bench server exited (${code})`));
    });
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          const line = out.trim().split('\n').at(-1) ?? '{}';
          try {
            resolve(JSON.parse(line) as { cpuUserMs: number; cpuSystemMs: number });
          } catch {
            resolve({ cpuUserMs: 0, cpuSystemMs: 0 });
          }
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Starts a SIPp UAS (built-in or scenario) on a free port and returns its run promise. */
function sippServer(scenario: string, port: number, calls: number, timeoutSec: number) {
  return runSipp({ scenario, localPort: port, calls, timeoutSec, args: ['-max_recv_loops', '10000'] });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const suite: BenchSuite = {
  name: 'sip-signalling',
  async run(ctx) {
    if (!(await sippAvailable())) {
      ctx.log('  sipp not installed: skipping (install Debian package sip-tester)');
      return [];
    }
    const quick = ctx.quick;
    const regCalls = quick ? 200 : 30_000;
    const inviteCalls = quick ? 100 : 10_000;
    const concurrency = quick ? 20 : 200;
    const rate = quick ? 500 : 50_000;
    const users = quick ? 100 : 1_000;
    const results: BenchResult[] = [];
    const loadArgs = ['-l', String(concurrency), '-max_recv_loops', '10000'];
    const regArgs = ['-key', 'user', 'u0', '-key', 'domain', 'bench.test', '-au', 'u0', '-ap', 'p0', ...loadArgs];
    {
      // REGISTER with digest auth: ours.
      const server = await startServer(users);
      const reg = await runSipp({
        scenario: `${SIPP_SCENARIOS}bench-register.xml`,
        target: `127.0.0.1:${server.port}`,
        calls: regCalls,
        rate,
        timeoutSec: 120,
        args: regArgs,
      });
      const regCpu = await server.stop();
      const oursReg = reg.successful / (reg.elapsedMs / 1000);
      // REGISTER exchange: SIPp against SIPp.
      const sippRegPort = 17000 + Math.floor(Math.random() * 1000);
      const uas = sippServer(`${SIPP_SCENARIOS}bench-registrar-uas.xml`, sippRegPort, regCalls, 120);
      await pause(300);
      const regBase = await runSipp({
        scenario: `${SIPP_SCENARIOS}bench-register.xml`,
        target: `127.0.0.1:${sippRegPort}`,
        calls: regCalls,
        rate,
        timeoutSec: 120,
        args: regArgs,
      });
      await uas;
      const baseReg = regBase.successful / (regBase.elapsedMs / 1000);
      results.push({
        name: 'REGISTER with digest auth (SIPp load)',
        unit: 'registrations/s',
        value: round(oursReg),
        higherIsBetter: true,
        baseline: { name: 'SIPp vs SIPp registrar', value: round(baseReg) },
        ratio: round(oursReg / baseReg, 2),
      });
      results.push({ name: 'REGISTER failed transactions', unit: 'count', value: reg.failed + (regCalls - reg.successful), higherIsBetter: false });
      results.push({ name: 'REGISTER server CPU per registration', unit: 'µs', value: round(((regCpu.cpuUserMs + regCpu.cpuSystemMs) * 1000) / Math.max(1, reg.successful), 1), higherIsBetter: false });

      // INVITE → 200 → ACK → BYE → 200: ours.
      const server2 = await startServer(10);
      const inv = await runSipp({ scenario: 'uac', target: `127.0.0.1:${server2.port}`, calls: inviteCalls, rate, timeoutSec: 120, args: ['-d', '0', ...loadArgs] });
      const invCpu = await server2.stop();
      const oursInv = inv.successful / (inv.elapsedMs / 1000);
      const sippUasPort = 18000 + Math.floor(Math.random() * 1000);
      const uas2 = sippServer('uas', sippUasPort, inviteCalls, 120);
      await pause(300);
      const invBase = await runSipp({ scenario: 'uac', target: `127.0.0.1:${sippUasPort}`, calls: inviteCalls, rate, timeoutSec: 120, args: ['-d', '0', ...loadArgs] });
      await uas2;
      const baseInv = invBase.successful / (invBase.elapsedMs / 1000);
      results.push({
        name: 'INVITE-to-BYE calls (SIPp load)',
        unit: 'calls/s',
        value: round(oursInv),
        higherIsBetter: true,
        baseline: { name: 'SIPp uac vs SIPp uas', value: round(baseInv) },
        ratio: round(oursInv / baseInv, 2),
      });
      results.push({ name: 'INVITE failed calls', unit: 'count', value: inv.failed + (inviteCalls - inv.successful), higherIsBetter: false });
      results.push({ name: 'INVITE server CPU per call', unit: 'µs', value: round(((invCpu.cpuUserMs + invCpu.cpuSystemMs) * 1000) / Math.max(1, inv.successful), 1), higherIsBetter: false });
    }
    return results;
  },
};
