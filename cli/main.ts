// The `hotline` command: dispatches subcommands (DESIGN.md §3). Only cli/ reads flags and HOTLINE_* variables.
import { isSea } from 'node:sea';
// A JSON module rather than a file read: the single binary (issue 11) carries it inside and has no package.json beside it.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).command,
  demo: async () => (await import('./commands/demo.ts')).command,
  bench: async () => (await import('./commands/bench.ts')).command,
  sip: async () => (await import('./commands/sip.ts')).command,
  sim: async () => (await import('./commands/sim.ts')).command,
};

export function usage(): string {
  return [
    `hotline ${VERSION} — multi-tenant call-center engine`,
    '',
    'usage: hotline <command> [options]',
    '',
    'commands:',
    '  serve                 run the server (SIP, RTP, admin API)',
    '  demo [--calls N] [--keep]',
    '                        a server, a simulated gateway and agents, calls through the full path, narrated',
    '  bench [--quick] [--filter TEXT] [--json FILE]',
    '                        run the benchmark suite',
    '  sip lint FILE…        parse raw SIP messages; print a summary or the error and response code',
    '  sim gateway|agent|run|schema …  simulated gateways and agents; scenario runs with reports',
    '  --version             print the version',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`hotline: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const cmd = await load();
  return cmd.run(rest);
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
const viaLauncher = process.argv[1]?.endsWith('hotline.mjs') || process.argv[1]?.endsWith('/hotline');
// Inside the single binary this bundle is the program, whatever the executable is called.
if (isEntry || viaLauncher || isSea()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hotline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
