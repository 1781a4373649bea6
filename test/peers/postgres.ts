// Starts a throwaway PostgreSQL cluster on loopback for tests (a copy of a cached initdb in a temp dir, postgres on a free 127.0.0.1 port, stopped by its PID), and creates fresh databases in it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

/** A running (or borrowed) PostgreSQL server. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` — the maintenance database. */
  readonly url: string;
  readonly port: number;
  /** PID of the postmaster we started; `undefined` when borrowing a server from `HOTLINE_TEST_DATABASE_URL`. */
  readonly pid: number | undefined;
  /** Creates an empty database with a unique name and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the postmaster we started (fast shutdown) and removes its directory; idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Give up when the server is not ready after this long. Default 30 s. */
  readyTimeoutMs?: number;
}

const HINT =
  'PostgreSQL server binaries (initdb, postgres) were not found. Install the Debian package `postgresql` ' +
  '(apt-get install -y postgresql), or set PG_BIN to the directory holding initdb and postgres, ' +
  'or set HOTLINE_TEST_DATABASE_URL to an existing server (postgres://user@host:port/db) that may create databases.';

/** The directory holding `initdb` and `postgres`, or `undefined`. Looks at PG_BIN, Debian's /usr/lib/postgresql/N/bin (newest first), then PATH. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(debian, v, 'bin'));
  }
  for (const p of (process.env.PATH ?? '').split(path.delimiter)) if (p) candidates.push(p);
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres')));
}

/**
 * Starts a throwaway cluster: a copy of an `initdb` cluster (trust auth; made once and cached under the
 * temp directory) in a new temp directory, then `postgres`
 * listening on 127.0.0.1 at a free port with its socket in that directory. As root, both run as the
 * `postgres` system user (initdb refuses root). When `HOTLINE_TEST_DATABASE_URL` is set, that server is
 * used instead and nothing is started.
 * @throws {Error} with installation instructions when the binaries are missing; with the server log when it does not start.
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const borrowed = process.env.HOTLINE_TEST_DATABASE_URL;
  if (borrowed) return cluster(borrowed, Number(new URL(borrowed).port || 5432), undefined, async () => {});

  const bin = findPostgresBin();
  if (bin === undefined) throw new Error(HINT);
  const ids = process.getuid?.() === 0 ? postgresUser() : undefined;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotline-pg-'));
  const data = path.join(dir, 'data');
  await mkdir(data, { mode: 0o700 });
  if (ids) {
    await chown(dir, ids.uid, ids.gid);
    await chown(data, ids.uid, ids.gid);
  }
  const spawnAs = ids ? { uid: ids.uid, gid: ids.gid } : {};
  try {
    // initdb takes seconds (it starts the server several times to probe settings): do it once per
    // machine, PostgreSQL version and user, then copy the pristine cluster for every test file.
    const template = await clusterTemplate(bin, ids, spawnAs);
    execFileSync('cp', ['-a', `${template}/.`, data], { stdio: 'pipe' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`initdb failed: ${e.stderr?.toString() || e.message}`);
  }

  const port = await freePort();
  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=60', '-c', 'shared_buffers=32MB', '-c', 'log_min_messages=warning',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], ...spawnAs },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (log.length < 64 * 1024) log += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, opts.readyTimeoutMs ?? 30_000, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return cluster(url, port, child.pid, stop);
}

/**
 * A freshly initialised, never started cluster directory for this PostgreSQL version and user, created
 * on first use under the temp directory (built aside, then renamed into place, so it is never partial).
 */
async function clusterTemplate(bin: string, ids: { uid: number; gid: number } | undefined, spawnAs: object): Promise<string> {
  const version = /\d+(\.\d+)*/.exec(execFileSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }))?.[0] ?? 'unknown';
  const target = path.join(os.tmpdir(), `hotline-pg-template-${version}-${ids?.uid ?? process.getuid?.() ?? 'u'}`);
  if (existsSync(path.join(target, 'PG_VERSION'))) return target;
  const build = await mkdtemp(path.join(os.tmpdir(), 'hotline-pg-build-'));
  const data = path.join(build, 'data');
  await mkdir(data, { mode: 0o700 });
  if (ids) {
    await chown(build, ids.uid, ids.gid);
    await chown(data, ids.uid, ids.gid);
  }
  try {
    execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8', '--locale=C'], {
      cwd: build,
      stdio: 'pipe',
      ...spawnAs,
    });
    try {
      await rename(data, target);
    } catch (err) {
      // another test file won the race: use its template
      if (!existsSync(path.join(target, 'PG_VERSION'))) throw err;
    }
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  return target;
}

function cluster(url: string, port: number, pid: number | undefined, stopServer: () => Promise<void>): PostgresCluster {
  let stopped = false;
  let n = 0;
  return {
    url,
    port,
    pid,
    async createDatabase(prefix = 'hotline_test') {
      const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${n++}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await sql.end({ timeout: 5 });
      }
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer();
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error(`running as root, but there is no 'postgres' system user to run initdb as. ${HINT}`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited while starting:\n${log()}`);
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`postgres not ready after ${timeoutMs} ms:\n${log()}`);
    } finally {
      await sql.end({ timeout: 1 });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const timed = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  process.kill(pid, 'SIGINT'); // fast shutdown: disconnect clients, checkpoint, exit
  if (await timed(10_000)) return;
  process.kill(pid, 'SIGQUIT'); // immediate shutdown
  if (await timed(5_000)) return;
  process.kill(pid, 'SIGKILL');
  await exited;
}
