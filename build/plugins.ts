// esbuild plugins for the single binary (issue 11): refuse native addons, resolve URL-computed imports of our own
// modules, leave source-checkout-only commands and optional GPL components out.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

/** Fails the build at the first `.node` file anything tries to import (a compiled addon cannot live in the binary). */
export function refuseNativeAddons(): Plugin {
  return {
    name: 'hotline-refuse-native-addons',
    setup(b) {
      b.onResolve({ filter: /\.node$/ }, (args) => ({
        errors: [{ text: `native addon "${args.path}" imported by ${args.importer}: the single binary cannot contain compiled addons` }],
      }));
    },
  };
}

/**
 * `import(new URL(NAME, import.meta.url).href)` where `const NAME = './x.ts'` in the same file: rewritten to a
 * literal `import('./x.ts')` so that the module is bundled (a bundle has no files beside it to load by URL), or to a
 * rejected promise when the file does not exist (the same "not in this build" the source tree gives).
 * Only our own sources (under `root`, outside node_modules) are touched.
 */
export function resolveUrlImports(root: string): Plugin {
  const call = /import\(\s*new URL\(\s*([A-Za-z_$][\w$]*)\s*,\s*import\.meta\.url\s*\)\.href\s*\)/g;
  return {
    name: 'hotline-url-imports',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`) || !args.path.startsWith(root)) return undefined;
        const src = readFileSync(args.path, 'utf8');
        if (!src.includes('import.meta.url')) return undefined;
        let changed = false;
        const code = src.replace(call, (whole, name: string) => {
          const decl = new RegExp(`const\\s+${name.replace(/\$/g, '\\$')}\\s*(?::\\s*string\\s*)?=\\s*(['"])([^'"]+)\\1`).exec(src);
          if (!decl) return whole;
          changed = true;
          const target = path.resolve(path.dirname(args.path), decl[2]);
          if (!existsSync(target)) return `Promise.reject(new Error(${JSON.stringify(`${decl[2]} is not in this build`)}))`;
          return `import(${JSON.stringify(decl[2])})`;
        });
        return changed ? { contents: code, loader: 'ts' } : undefined;
      });
    },
  };
}

/** Replaces one module (matched by its path relative to `root`) with generated source. */
export function replaceModule(root: string, relPath: string, contents: string, note: string): Plugin {
  const target = path.resolve(root, relPath);
  return {
    name: `hotline-replace-${relPath}`,
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => (args.path === target ? { contents: `// ${note}\n${contents}`, loader: 'ts' } : undefined));
    },
  };
}

/** Replaces a package by a stub module. */
export function stubPackage(name: string, contents: string): Plugin {
  const filter = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
  return {
    name: `hotline-stub-${name}`,
    setup(b) {
      b.onResolve({ filter }, () => ({ path: name, namespace: 'hotline-stub' }));
      b.onLoad({ filter, namespace: 'hotline-stub' }, () => ({ contents, loader: 'js' }));
    },
  };
}
