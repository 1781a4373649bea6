// The single binary's "no native addon" rule (issue 11, DESIGN.md §7): finds compiled addons (.node files, node-gyp
// packages, addon loaders) in the dependency graph of an esbuild bundle and in what the bundle still requires at run time.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/** The parts of an esbuild metafile this check reads. */
export interface BundleGraph {
  inputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
}

/** One reason the bundle is refused. */
export interface NativeFinding {
  /** The package (or file) at fault. */
  subject: string;
  /** Why: a `.node` file in the graph, `binding.gyp`, `gypfile`, a compiled file shipped, an addon loader dependency, a non-builtin run-time require. */
  reason: string;
  /** How the entry point reaches it (entry first), when known. */
  chain: string[];
}

/** Packages whose only purpose is to find and load a compiled addon. */
export const ADDON_LOADERS: readonly string[] = Object.freeze([
  'bindings',
  'node-gyp-build',
  'node-gyp-build-optional-packages',
  'node-pre-gyp',
  '@mapbox/node-pre-gyp',
  'prebuild-install',
  'node-addon-api',
  'nan',
  'cmake-js',
]);

/** `node_modules/a/node_modules/@s/b/lib/x.js` → `node_modules/a/node_modules/@s/b` (the innermost package root), or undefined. */
export function packageRootOf(input: string): string | undefined {
  const parts = input.split('/');
  let root: number | undefined;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== 'node_modules' || i + 1 >= parts.length) continue;
    root = parts[i + 1].startsWith('@') ? i + 2 : i + 1;
  }
  return root === undefined ? undefined : parts.slice(0, root + 1).join('/');
}

/** The package's name from its root path. */
function packageName(root: string): string {
  const i = root.lastIndexOf('node_modules/');
  return root.slice(i + 'node_modules/'.length);
}

/** Lists compiled addons under a package root (not descending into its own node_modules), at most `limit` of them. */
function compiledFiles(dir: string, limit = 5): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (out.length >= limit || depth > 8) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name.endsWith('.node')) out.push(p);
      if (out.length >= limit) return;
    }
  };
  walk(dir, 0);
  return out;
}

/** For every input, the input that first imported it (breadth-first from the entry points). */
function importers(graph: BundleGraph, entries: readonly string[]): Map<string, string | undefined> {
  const parent = new Map<string, string | undefined>();
  const queue = entries.filter((e) => e in graph.inputs);
  for (const e of queue) parent.set(e, undefined);
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const imp of graph.inputs[at]?.imports ?? []) {
      if (imp.external || parent.has(imp.path)) continue;
      parent.set(imp.path, at);
      queue.push(imp.path);
    }
  }
  return parent;
}

function chainTo(parent: Map<string, string | undefined>, input: string): string[] {
  const chain: string[] = [];
  for (let at: string | undefined = input; at !== undefined && chain.length < 50; at = parent.get(at)) chain.unshift(at);
  return chain;
}

/**
 * Checks a bundle's input graph: every `.node` input, and every package reached that builds (binding.gyp, `gypfile`),
 * ships (`*.node`) or loads (a dependency on an addon loader) a compiled addon.
 * @param root the directory esbuild ran in (metafile paths are relative to it)
 */
export function findNativeAddons(graph: BundleGraph, root: string, entries: readonly string[]): NativeFinding[] {
  const parent = importers(graph, entries);
  const findings: NativeFinding[] = [];
  const seen = new Set<string>();
  for (const input of Object.keys(graph.inputs)) {
    if (input.endsWith('.node')) findings.push({ subject: input, reason: 'a compiled addon (.node) in the bundle graph', chain: chainTo(parent, input) });
    const pkgRoot = packageRootOf(input);
    if (pkgRoot === undefined || seen.has(pkgRoot)) continue;
    seen.add(pkgRoot);
    const name = packageName(pkgRoot);
    const chain = chainTo(parent, input);
    const abs = path.resolve(root, pkgRoot);
    if (ADDON_LOADERS.includes(name)) findings.push({ subject: name, reason: 'an addon loader is bundled', chain });
    if (existsSync(path.join(abs, 'binding.gyp'))) findings.push({ subject: name, reason: 'builds a native addon (binding.gyp)', chain });
    let manifest: { gypfile?: unknown; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } = {};
    try {
      manifest = JSON.parse(readFileSync(path.join(abs, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      // no manifest: nothing more to learn
    }
    if (manifest.gypfile === true) findings.push({ subject: name, reason: 'builds a native addon (package.json gypfile)', chain });
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      if (ADDON_LOADERS.includes(dep)) findings.push({ subject: name, reason: `depends on the addon loader ${dep}`, chain });
    }
    for (const f of compiledFiles(abs)) findings.push({ subject: name, reason: `ships a compiled addon ${path.relative(root, f)}`, chain });
  }
  return findings;
}

const BUILTINS = new Set(builtinModules);

/** Whether `specifier` names a module built into Node (`fs`, `node:sqlite`, `node:sea`…). */
export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

/** The parts of an esbuild metafile's output entry this check reads. */
export interface BundleOutput {
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}

/**
 * Modules a dependency requires inside `try { } catch` and does without when missing: allowed to stay unbundled.
 * Anything else left external that is not built into Node would fail inside the binary.
 */
export const OPTIONAL_RUNTIME_MODULES: Readonly<Record<string, string>> = Object.freeze({
  'supports-color': 'debug (via @fastify/swagger → json-schema-resolver) probes it inside try/catch for terminal colours',
});

/**
 * Checks what a bundle still loads at run time (esbuild's external imports of the output): only modules built into
 * Node, or a known optional module, may remain — inside the single binary nothing else can be loaded, and a `.node`
 * file there would be a native addon.
 */
export function findRuntimeRequires(output: BundleOutput, file: string): NativeFinding[] {
  const out: NativeFinding[] = [];
  for (const imp of output.imports) {
    if (!imp.external || isBuiltin(imp.path) || Object.hasOwn(OPTIONAL_RUNTIME_MODULES, imp.path)) continue;
    const reason = imp.path.endsWith('.node') ? `a native addon loaded at run time (${imp.kind})` : `a module loaded at run time that the bundle does not contain (${imp.kind})`;
    out.push({ subject: imp.path, reason, chain: [file] });
  }
  return out;
}

/** One line per finding, for the build's error message. */
export function formatFindings(findings: readonly NativeFinding[]): string {
  return findings.map((f) => `  ${f.subject}: ${f.reason}${f.chain.length > 0 ? `\n    via ${f.chain.join(' → ')}` : ''}`).join('\n');
}
