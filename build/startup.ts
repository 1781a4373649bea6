// Start-up time of `hotline serve` to "ready" (issue 11): spawn → the `ready` line, and spawn → the first answer to a
// SIP OPTIONS (RFC 3261 §11) on the UDP socket, with an existing data directory; the binary and/or the source tree.
//
// Usage: node build/startup.ts [--binary dist/hotline] [--source] [--runs 20] [--node-options '--flag …'] [--json]
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One start: milliseconds from spawn to the ready line and to the first SIP answer, and the CPU time used until ready. */
export interface StartSample {
  readyMs: number;
  sipMs: number;
  /** User + system CPU time of the process when the ready line arrived (Linux /proc, 10 ms resolution): less sensitive to a busy machine than wall time. */
  cpuMs: number;
}

/** CPU time (user + system) of a process so far, from /proc/PID/stat; NaN where unavailable. */
function cpuTimeMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** A free UDP port on loopback (bound then released). */
async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function options(port: number, n: number): Buffer {
  const branch = `z9hG4bK-startup-${n}-${Date.now()}`;
  return Buffer.from(
    [
      `OPTIONS sip:probe@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:9;branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:probe@127.0.0.1>;tag=t${n}`,
      `To: <sip:probe@127.0.0.1:${port}>`,
      `Call-ID: startup-${n}-${Date.now()}@probe`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** Starts the server once, measures, stops it (SIGTERM) and waits for its exit. */
export async function measureOnce(cmd: string, args: string[], dataDir: string, nodeOptions?: string): Promise<StartSample> {
  const sipPort = await freePort();
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const t0 = performance.now();
  const child = spawn(cmd, [...args, 'serve', '--sip', `127.0.0.1:${sipPort}`, '--http', '127.0.0.1:0', '--rtp-ports', '46800-46899', '--data', dataDir], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOTLINE_ADMIN_TOKEN: 'startup-measurement-token', HOTLINE_LOG_LEVEL: 'warn', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let readyMs = NaN;
  let sipMs = NaN;
  let cpuMs = NaN;
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (Number.isNaN(readyMs) && out.includes('hotline ready')) {
        readyMs = performance.now() - t0;
        cpuMs = cpuTimeMs(child.pid);
        resolve();
      }
    }),
  );
  const answered = new Promise<void>((resolve) =>
    probe.on('message', () => {
      if (Number.isNaN(sipMs)) sipMs = performance.now() - t0;
      resolve();
    }),
  );
  // Knock every 2 ms until the SIP socket answers (each OPTIONS is a new transaction).
  let n = 0;
  const knock = setInterval(() => probe.send(options(sipPort, n++), sipPort, '127.0.0.1'), 2);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ready/answer in 20 s:\n${out}\n${err}`)), 20_000).unref());
  try {
    await Promise.race([Promise.all([ready, answered]), timeout, exited.then((c) => Promise.reject(new Error(`exited ${c} before ready:\n${out}\n${err}`)))]);
  } finally {
    clearInterval(knock);
    probe.close();
    child.kill('SIGTERM');
    await exited;
  }
  return { readyMs, sipMs, cpuMs };
}

/** Order statistics of a sample, ms rounded to 0.1. */
export function summary(xs: number[]): { min: number; median: number; p90: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 10) / 10;
  return { min: at(0), median: at(0.5), p90: at(0.9), max: at(1 - 1e-9) };
}

async function measure(label: string, cmd: string, args: string[], runs: number, nodeOptions?: string) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-startup-'));
  try {
    const first = await measureOnce(cmd, args, dataDir, nodeOptions); // creates the database: later runs find an existing data directory
    const samples: StartSample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await measureOnce(cmd, args, dataDir, nodeOptions));
    return { label, freshDataDir: first, ready: summary(samples.map((s) => s.readyMs)), sip: summary(samples.map((s) => s.sipMs)), cpu: summary(samples.map((s) => s.cpuMs)), runs };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function cli(): Promise<void> {
  const { values } = parseArgs({ options: { binary: { type: 'string' }, source: { type: 'boolean' }, runs: { type: 'string' }, json: { type: 'boolean' }, 'node-options': { type: 'string' } } });
  const runs = Number(values.runs ?? 20);
  const results = [];
  if (values.binary !== undefined || !values.source) results.push(await measure('binary', path.resolve(values.binary ?? path.join(ROOT, 'dist', 'hotline')), [], runs, values['node-options']));
  if (values.source) results.push(await measure('source (node cli/main.ts)', process.execPath, [path.join(ROOT, 'cli', 'main.ts')], runs, values['node-options']));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, load: os.loadavg() }, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.label}: ${r.runs} runs with an existing data dir — ready line median ${r.ready.median} ms (min ${r.ready.min}, p90 ${r.ready.p90}, max ${r.ready.max}); ` +
        `first SIP answer median ${r.sip.median} ms (min ${r.sip.min}, p90 ${r.sip.p90}); CPU time to ready median ${r.cpu.median} ms (min ${r.cpu.min}); ` +
        `fresh data dir: ready ${r.freshDataDir.readyMs.toFixed(1)} ms\n`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
