// `hotline serve`: the composition root (engine + tenant + ivr). Grows with the project.
import type { Command } from '../main.ts';
import { usage } from '../main.ts';

export const command: Command = {
  summary: 'run the server',
  async run() {
    process.stdout.write(`${usage()}\n\nserve: the server is not wired yet (see issue 6); the subcommands above work.\n`);
    return 0;
  },
};
