// `hotline sip lint FILE…`: placeholder until the message layer lands.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'SIP tools',
  async run() {
    process.stderr.write('hotline sip: not available yet\n');
    return 2;
  },
};
