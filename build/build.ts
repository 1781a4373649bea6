// `npm run build:binary`: the single binary for deployers (issue 11) — esbuild bundles (server, simulator, CLI; the TTS
// worker apart), a native-addon check, then a Node single executable application (SEA blob + postject) at dist/hotline.
//
//   1. bundle cli/main.ts → dist/.build/hotline.cjs (CommonJS: Node 24's SEA main must be CommonJS; no top-level await)
//   2. bundle ivr/tts/embedded/engine-worker.ts → dist/.build/engine-worker.cjs (started with `eval` from its asset)
//   3. refuse native addons: any .node import, addon packages in either graph, non-builtin run-time requires
//   4. `node --experimental-sea-config` → blob with the code cache and the assets (build/assets.ts)
//   5. copy the pinned Node 24 binary, strip its symbols, inject the blob with postject, run `--version` as a smoke test
//
// Usage: node build/build.ts [--out FILE] [--node FILE] [--no-strip] [--no-code-cache] [--without-espeak] [--quiet]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { assetManifest } from './assets.ts';
import type { AssetEntry } from './assets.ts';
import { findNativeAddons, findRuntimeRequires, formatFindings } from './native-check.ts';
import type { NativeFinding } from './native-check.ts';
import { refuseNativeAddons, replaceModule, resolveUrlImports, stubPackage } from './plugins.ts';

/** The repository root. */
export const ROOT: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The sentinel Node looks for to know a blob was injected (fixed by Node's SEA design). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Options of {@link buildBinary}. */
export interface BuildOptions {
  /** Where the executable goes. */
  out: string;
  /** The Node 24 binary to embed (default: the pinned one in node_modules, else this process's). */
  node?: string;
  /** Strip symbols from the copied Node binary (default true; skipped with a note when `strip` is missing). */
  strip: boolean;
  /** Embed V8's code cache for the main script (faster start-up; default true). */
  codeCache: boolean;
  /** Leave eSpeak-NG (GPL-3.0; Mandarin and other languages) out. */
  withoutEspeak: boolean;
  /** Progress lines go here. */
  log: (line: string) => void;
}

/** Defaults of {@link BuildOptions}. */
export const BUILD_DEFAULTS: Readonly<BuildOptions> = Object.freeze({
  out: path.join(ROOT, 'dist', 'hotline'),
  strip: true,
  codeCache: true,
  withoutEspeak: false,
  log: (line: string) => void process.stdout.write(`${line}\n`),
});

/** What a build produced. */
export interface BuildResult {
  out: string;
  bytes: number;
  nodeBinary: string;
  nodeVersion: string;
  stripped: boolean;
  bundles: { main: { file: string; bytes: number }; worker: { file: string; bytes: number } };
  assets: Array<AssetEntry & { bytes: number }>;
  ms: number;
}

/** The build refused the dependency graph (a native addon, or something the bundle cannot contain). */
export class NativeAddonError extends Error {
  readonly code = 'native-addon';
  readonly findings: readonly NativeFinding[];
  constructor(findings: readonly NativeFinding[]) {
    super(`the single binary cannot contain native addons or unbundled modules:\n${formatFindings(findings)}`);
    this.name = 'NativeAddonError';
    this.findings = findings;
  }
}

function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    return b.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

/** The Node binary to embed: given, else the pinned node@24 from node_modules, else this process when it is Node ≥ 24. */
export function pickNode(given?: string): { file: string; version: string } {
  const candidates = given ? [given] : [path.join(ROOT, 'node_modules', 'node', 'bin', 'node'), process.execPath];
  for (const file of candidates) {
    if (!existsSync(file) || !isElf(file)) continue;
    const version = execFileSync(file, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(/^v(\d+)/.exec(version)?.[1]) >= 24) return { file, version };
  }
  throw new Error(`no Node >= 24 ELF binary found (tried ${candidates.join(', ')}); run npm install`);
}

/** `var __hotline_import_meta_url`: what `import.meta.url` means inside a CommonJS bundle (the executable inside the binary). */
const IMPORT_META_BANNER =
  'var __hotline_import_meta_url = require("node:url").pathToFileURL(require("node:sea").isSea() ? process.execPath : __filename).href;';

const BENCH_STUB = `export const command = {
  summary: 'run the benchmark suite (from a source checkout)',
  async run() {
    process.stderr.write('hotline bench: the benchmarks run from a source checkout (npm run bench); the single binary leaves them out\\n');
    return 2;
  },
};`;

const ESPEAK_STUB = `export default async function () { throw new Error('eSpeak-NG is not in this build (built with --without-espeak)'); }`;

async function bundle(entry: string, outfile: string, plugins: esbuild.Plugin[]): Promise<esbuild.Metafile> {
  const res = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    define: { 'import.meta.url': '__hotline_import_meta_url' },
    banner: { js: IMPORT_META_BANNER },
    // Names kept: stack traces and class names in logs stay readable; whitespace and syntax are minified.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    // import() becomes require(): the SEA main script cannot import() when it runs from the code cache.
    supported: { 'dynamic-import': false },
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
    plugins: [refuseNativeAddons(), resolveUrlImports(ROOT), ...plugins],
  });
  for (const w of res.warnings) {
    // A dynamic require/import esbuild could not follow is what would fail inside the binary: make it loud.
    if (/require|import/.test(w.text)) throw new Error(`bundle ${entry}: ${w.text} (${w.location?.file}:${w.location?.line})`);
  }
  return res.metafile;
}

/**
 * Builds the single binary.
 * @throws {NativeAddonError} when a native addon (or an unbundled run-time module) is in the dependency graph
 * @throws {Error} when Node 24, esbuild, postject or the smoke test fail
 */
export async function buildBinary(options: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const o: BuildOptions = { ...BUILD_DEFAULTS, ...options };
  const t0 = performance.now();
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the single binary is built for linux-x64 (this is ${process.platform}-${process.arch})`);
  const node = pickNode(o.node);
  const work = path.join(path.dirname(o.out), '.build');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  // 1–2. Bundles.
  const mainFile = path.join(work, 'hotline.cjs');
  const workerFile = path.join(work, 'engine-worker.cjs');
  const espeak = o.withoutEspeak ? [stubPackage('@echogarden/espeak-ng-emscripten', ESPEAK_STUB)] : [];
  const mainMeta = await bundle('cli/main.ts', mainFile, [replaceModule(ROOT, 'cli/commands/bench.ts', BENCH_STUB, 'bench: source checkout only'), ...espeak]);
  const workerMeta = await bundle('ivr/tts/embedded/engine-worker.ts', workerFile, espeak);
  o.log(`bundled: ${rel(mainFile)} ${mb(statSync(mainFile).size)}, ${rel(workerFile)} ${mb(statSync(workerFile).size)}`);

  // 3. No native addon anywhere.
  const findings = [
    ...findNativeAddons(mainMeta, ROOT, ['cli/main.ts']),
    ...findNativeAddons(workerMeta, ROOT, ['ivr/tts/embedded/engine-worker.ts']),
    ...findRuntimeRequires(outputOf(mainMeta), rel(mainFile)),
    ...findRuntimeRequires(outputOf(workerMeta), rel(workerFile)),
  ];
  if (findings.length > 0) throw new NativeAddonError(findings);
  o.log(`checked: no native addon in ${Object.keys(mainMeta.inputs).length + Object.keys(workerMeta.inputs).length} bundled modules`);

  // 4. The SEA blob: main script, code cache, assets.
  const assets = assetManifest({ root: ROOT, workerBundle: workerFile, withoutEspeak: o.withoutEspeak });
  const base = JSON.parse(readFileSync(path.join(ROOT, 'build', 'sea-config.json'), 'utf8')) as Record<string, unknown>;
  const blob = path.join(work, 'hotline.blob');
  const seaConfig = {
    ...base,
    // Relative to the work directory (the blob generator runs there): stack traces name `hotline.cjs`, not this checkout.
    main: path.basename(mainFile),
    output: path.basename(blob),
    useCodeCache: o.codeCache,
    assets: Object.fromEntries(assets.map((a) => [a.key, a.source])),
  };
  const configFile = path.join(work, 'sea-config.json');
  writeFileSync(configFile, `${JSON.stringify(seaConfig, null, 2)}\n`);
  execFileSync(node.file, ['--experimental-sea-config', configFile], { cwd: work, stdio: 'pipe' });
  o.log(`sea blob: ${rel(blob)} ${mb(statSync(blob).size)} (${assets.length} assets, code cache ${o.codeCache ? 'on' : 'off'})`);

  // 5. The executable: a copy of Node, stripped, with the blob injected.
  mkdirSync(path.dirname(o.out), { recursive: true });
  rmSync(o.out, { force: true });
  copyFileSync(node.file, o.out);
  chmodSync(o.out, 0o755);
  let stripped = false;
  if (o.strip) {
    try {
      execFileSync('strip', ['--strip-all', o.out], { stdio: 'pipe' });
      stripped = true;
    } catch (err) {
      o.log(`strip skipped: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  const postject = path.join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
  execFileSync(node.file, [postject, o.out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: 'pipe' });
  const version = execFileSync(o.out, ['--version'], { encoding: 'utf8', cwd: work, env: { PATH: process.env.PATH ?? '' } }).trim();
  const pkgVersion = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  if (version !== pkgVersion) throw new Error(`smoke test: ${rel(o.out)} --version printed "${version}", expected "${pkgVersion}"`);

  const result: BuildResult = {
    out: o.out,
    bytes: statSync(o.out).size,
    nodeBinary: node.file,
    nodeVersion: node.version,
    stripped,
    bundles: { main: { file: mainFile, bytes: statSync(mainFile).size }, worker: { file: workerFile, bytes: statSync(workerFile).size } },
    assets: assets.map((a) => ({ ...a, bytes: statSync(a.source).size })),
    ms: Math.round(performance.now() - t0),
  };
  o.log(`built ${rel(o.out)}: ${mb(result.bytes)} (node ${node.version}${stripped ? ', stripped' : ''}) in ${(result.ms / 1000).toFixed(1)} s`);
  return result;
}

function outputOf(meta: esbuild.Metafile): esbuild.Metafile['outputs'][string] {
  const outputs = Object.values(meta.outputs);
  if (outputs.length !== 1) throw new Error(`expected one bundle output, got ${outputs.length}`);
  return outputs[0];
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || p;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function cli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      node: { type: 'string' },
      'no-strip': { type: 'boolean' },
      'no-code-cache': { type: 'boolean' },
      'without-espeak': { type: 'boolean' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  try {
    const r = await buildBinary({
      out: values.out ? path.resolve(values.out) : BUILD_DEFAULTS.out,
      node: values.node,
      strip: !values['no-strip'],
      codeCache: !values['no-code-cache'],
      withoutEspeak: values['without-espeak'] ?? false,
      log: values.quiet ? () => {} : BUILD_DEFAULTS.log,
    });
    if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`build:binary failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cli(process.argv.slice(2));
}
