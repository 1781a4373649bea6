// The single binary's build checks (issue 11): native addons refused in the bundle graph and at run time, URL-computed imports bundled.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { findNativeAddons, findRuntimeRequires, isBuiltin, packageRootOf } from './native-check.ts';
import { refuseNativeAddons, resolveUrlImports } from './plugins.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hotline-native-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  const p = path.join(tmp, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

describe('native addon check', () => {
  it('finds the innermost package root of an input path', () => {
    expect(packageRootOf('node_modules/fastify/lib/route.js')).toBe('node_modules/fastify');
    expect(packageRootOf('node_modules/@fastify/swagger/index.js')).toBe('node_modules/@fastify/swagger');
    expect(packageRootOf('node_modules/a/node_modules/@s/b/x.js')).toBe('node_modules/a/node_modules/@s/b');
    expect(packageRootOf('engine/sip/engine.ts')).toBeUndefined();
  });

  it('refuses packages that build, ship or load a compiled addon, and names the import chain', () => {
    write('node_modules/clean/package.json', '{"name":"clean"}');
    write('node_modules/clean/index.js', '');
    write('node_modules/gyp/package.json', '{"name":"gyp"}');
    write('node_modules/gyp/binding.gyp', '{}');
    write('node_modules/gyp/index.js', '');
    write('node_modules/prebuilt/package.json', '{"name":"prebuilt"}');
    write('node_modules/prebuilt/prebuilds/linux-x64/prebuilt.node', 'ELF');
    write('node_modules/prebuilt/index.js', '');
    write('node_modules/loads/package.json', '{"name":"loads","dependencies":{"node-gyp-build":"^4"}}');
    write('node_modules/loads/index.js', '');
    const graph = {
      inputs: {
        'main.ts': { imports: [{ path: 'node_modules/clean/index.js' }, { path: 'lib.ts' }] },
        'lib.ts': { imports: [{ path: 'node_modules/gyp/index.js' }, { path: 'node_modules/prebuilt/index.js' }, { path: 'node_modules/loads/index.js' }] },
        'node_modules/clean/index.js': { imports: [] },
        'node_modules/gyp/index.js': { imports: [] },
        'node_modules/prebuilt/index.js': { imports: [] },
        'node_modules/loads/index.js': { imports: [] },
      },
    };
    const findings = findNativeAddons(graph, tmp, ['main.ts']);
    expect(findings.map((f) => f.subject).sort()).toEqual(['gyp', 'loads', 'prebuilt']);
    expect(findings.find((f) => f.subject === 'gyp')?.chain).toEqual(['main.ts', 'lib.ts', 'node_modules/gyp/index.js']);
    expect(findings.find((f) => f.subject === 'prebuilt')?.reason).toMatch(/prebuilt\.node/);
    expect(findings.find((f) => f.subject === 'loads')?.reason).toMatch(/node-gyp-build/);
  });

  it('accepts a graph of plain JavaScript', () => {
    const graph = { inputs: { 'main.ts': { imports: [{ path: 'node_modules/clean/index.js' }] }, 'node_modules/clean/index.js': { imports: [] } } };
    expect(findNativeAddons(graph, tmp, ['main.ts'])).toEqual([]);
  });

  it('allows only built-in modules (and known optional ones) to stay unbundled at run time', () => {
    expect(isBuiltin('node:sqlite')).toBe(true);
    expect(isBuiltin('fs/promises')).toBe(true);
    expect(isBuiltin('fastify')).toBe(false);
    const out = {
      imports: [
        { path: 'node:sea', kind: 'require-call', external: true },
        { path: 'fs', kind: 'require-call', external: true },
        { path: 'supports-color', kind: 'require-call', external: true },
        { path: 'left-out', kind: 'require-call', external: true },
        { path: './build/Release/addon.node', kind: 'require-call', external: true },
      ],
    };
    const findings = findRuntimeRequires(out, 'bundle.cjs');
    expect(findings.map((f) => f.subject)).toEqual(['left-out', './build/Release/addon.node']);
    expect(findings[1].reason).toMatch(/native addon/);
  });

  it('fails the bundle at the first .node import', async () => {
    write('addon-entry.js', "module.exports = require('./thing.node');\n");
    write('thing.node', 'ELF');
    await expect(
      esbuild.build({ entryPoints: [path.join(tmp, 'addon-entry.js')], bundle: true, write: false, platform: 'node', logLevel: 'silent', plugins: [refuseNativeAddons()] }),
    ).rejects.toThrow(/native addon "\.\/thing\.node"/);
  });
});

describe('URL-computed imports of our own modules', () => {
  it('bundles import(new URL(CONST, import.meta.url).href) as a literal import, and rejects when the file is absent', async () => {
    write('src/hook.ts', "export const hello = 'from the hook';\n");
    write(
      'src/entry.ts',
      [
        "const HOOK = './hook.ts';",
        "const MISSING: string = './missing.ts';",
        'export const a = () => import(new URL(HOOK, import.meta.url).href);',
        'export const b = () => import(new URL(MISSING, import.meta.url).href);',
        '',
      ].join('\n'),
    );
    const res = await esbuild.build({
      entryPoints: [path.join(tmp, 'src/entry.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      plugins: [resolveUrlImports(tmp)],
    });
    const code = res.outputFiles[0].text;
    expect(code).toContain('from the hook');
    expect(code).toContain('./missing.ts is not in this build');
    expect(code).not.toContain('new URL(HOOK');
    // The source file itself is untouched.
    expect(readFileSync(path.join(tmp, 'src/entry.ts'), 'utf8')).toContain('new URL(HOOK, import.meta.url)');
  });
});
