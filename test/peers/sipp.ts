// Runs SIPp (Debian's sip-tester) as a real peer in tests and benchmarks, bounded in calls and time.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the project's SIPp scenario files (named by role and outcome). */
export const SIPP_SCENARIOS = fileURLToPath(new URL('../sipp/', import.meta.url));

export interface SippOptions {
  /** A built-in scenario name (`uac`, `uas`, …) or a path to an XML scenario. */
  scenario: string;
  /** Remote host:port (omit for a UAS that only listens). */
  target?: string;
  /** Local IP and port SIPp binds to. */
  localIp?: string;
  localPort?: number;
  transport?: 'u1' | 'un' | 't1' | 'tn';
  /** Stop after this many calls (required: every load is bounded). */
  calls: number;
  /** Calls per second. */
  rate?: number;
  /** Max simultaneous calls. */
  limit?: number;
  /** Global timeout; SIPp fails when it is reached. */
  timeoutSec: number;
  /** Extra arguments (e.g. ['-au', 'user', '-ap', 'secret']). */
  args?: string[];
  /** Hard kill after this many ms (defaults to timeoutSec + 10 s). */
  killAfterMs?: number;
}

export interface SippResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  successful: number;
  failed: number;
  /** Retransmissions counted by SIPp. */
  retransmissions: number;
  elapsedMs: number;
  /** Contents of the -trace_err log, when anything was unexpected. */
  errors: string;
}

export function sippAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('sipp', ['-v'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', () => resolve(true));
  });
}

/** Runs SIPp to completion and reads its final statistics. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-sipp-'));
  const statFile = path.join(dir, 'stat.csv');
  const args: string[] = [];
  if (opts.scenario.endsWith('.xml')) args.push('-sf', opts.scenario);
  else args.push('-sn', opts.scenario);
  if (opts.target) args.push(opts.target);
  args.push('-i', opts.localIp ?? '127.0.0.1');
  if (opts.localPort !== undefined) args.push('-p', String(opts.localPort));
  args.push('-t', opts.transport ?? 'u1');
  args.push('-m', String(opts.calls));
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  args.push('-timeout', `${opts.timeoutSec}s`, '-timeout_error');
  args.push('-nostdin', '-trace_stat', '-stf', statFile, '-fd', '1', '-trace_err', '-error_file', path.join(dir, 'errors.log'));
  args.push(...(opts.args ?? []));

  const started = performance.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 1 << 20) stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  const killAfter = opts.killAfterMs ?? (opts.timeoutSec + 10) * 1000;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  const elapsedMs = performance.now() - started;
  const stats = await readStats(statFile);
  let errors = '';
  for (const f of await readdir(dir)) {
    if (f.includes('error')) errors += await readFile(path.join(dir, f), 'utf8').catch(() => '');
  }
  await rm(dir, { recursive: true, force: true });
  return { exitCode, stdout, stderr, elapsedMs, errors, ...stats };
}

async function readStats(file: string): Promise<{ successful: number; failed: number; retransmissions: number }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.trim().split('\n');
  if (lines.length < 2) return { successful: 0, failed: 0, retransmissions: 0 };
  const head = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  const col = (name: string): number => {
    const i = head.indexOf(name);
    return i >= 0 ? Number(last[i]) || 0 : 0;
  };
  return {
    successful: col('SuccessfulCall(C)'),
    failed: col('FailedCall(C)'),
    retransmissions: col('Retransmissions(C)'),
  };
}
