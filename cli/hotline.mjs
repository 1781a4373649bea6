#!/usr/bin/env node
// The `hotline` launcher: runs cli/main.ts on Node >= 24 (type stripping), re-executing under the
// project's pinned Node (the npm package `node@24`) when started by an older system Node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

if (major >= 24) {
  await import(main);
} else {
  let pinned;
  try {
    const require = createRequire(import.meta.url);
    pinned = require.resolve('node/bin/node');
  } catch {
    process.stderr.write(`hotline needs Node.js >= 24 (found ${process.version}); run \`npm install\` to get the pinned runtime.\n`);
    process.exit(1);
  }
  const res = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(res.status ?? 1);
}
