// `hotline bench [--quick] [--filter TEXT] [--json FILE]`: the benchmark suite.
import { runBenchmarks } from '../../bench/run.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'run the benchmark suite',
  async run(args) {
    const { values } = parseFlags(args, {
      quick: { type: 'boolean' },
      filter: { type: 'string' },
      json: { type: 'string' },
    });
    const quick = values.quick === true || process.env.HOTLINE_BENCH_QUICK === '1';
    await runBenchmarks({ quick, filter: values.filter, json: values.json });
    return 0;
  },
};
