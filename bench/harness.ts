// Benchmark harness: timing helpers, result shape (DESIGN.md §3) and the suite contract.
import os from 'node:os';

/** One figure of a benchmark run, as written to the JSON results (DESIGN.md §3). */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  higherIsBetter: boolean;
  baseline?: { name: string; value: number };
  ratio?: number;
  /** Spread of the repetitions: (max - min) / median. */
  spread?: number;
}

export interface BenchContext {
  /** Small smoke run (CI): fewer repetitions, shorter windows; figures are not meaningful. */
  quick: boolean;
  log(line: string): void;
}

/** A suite lives in `bench/suites/*.bench.ts` and exports `suite`. */
export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

export interface RateOptions {
  /** Wall time per repetition in ms. */
  timeMs: number;
  repetitions: number;
  warmupMs: number;
}

export const QUICK_RATE: Readonly<RateOptions> = Object.freeze({ timeMs: 30, repetitions: 2, warmupMs: 10 });
export const FULL_RATE: Readonly<RateOptions> = Object.freeze({ timeMs: 400, repetitions: 7, warmupMs: 300 });

export interface Rate {
  /** Median operations per second over the repetitions. */
  median: number;
  spread: number;
  samples: number[];
}

/**
 * Measures how many operations per second `fn` performs. `fn` does `opsPerCall` operations per call
 * (batch work inside it so the loop overhead is small). Returns the median of the repetitions.
 */
export function measureRate(fn: () => void, opsPerCall: number, opts: Readonly<RateOptions>): Rate {
  const runFor = (ms: number): number => {
    const limit = BigInt(Math.round(ms * 1e6));
    const start = process.hrtime.bigint();
    let calls = 0;
    let elapsed = 0n;
    // Check the clock every few calls to keep timing overhead low.
    let batch = 1;
    for (;;) {
      for (let i = 0; i < batch; i++) fn();
      calls += batch;
      elapsed = process.hrtime.bigint() - start;
      if (elapsed >= limit) break;
      if (batch < 1024) batch *= 2;
    }
    return (calls * opsPerCall) / (Number(elapsed) / 1e9);
  };
  runFor(opts.warmupMs);
  const samples: number[] = [];
  for (let r = 0; r < opts.repetitions; r++) samples.push(runFor(opts.timeMs));
  return summarize(samples);
}

export function summarize(samples: number[]): Rate {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const spread = median > 0 ? (sorted[sorted.length - 1] - sorted[0]) / median : 0;
  return { median, spread, samples };
}

/** Builds a result compared with a baseline measured in the same run. */
export function compared(name: string, unit: string, ours: Rate, baselineName: string, baseline: Rate): BenchResult {
  return {
    name,
    unit,
    value: round(ours.median),
    higherIsBetter: true,
    spread: round(ours.spread, 3),
    baseline: { name: baselineName, value: round(baseline.median) },
    ratio: round(ours.median / baseline.median, 2),
  };
}

export function rate(name: string, unit: string, r: Rate): BenchResult {
  return { name, unit, value: round(r.median), higherIsBetter: true, spread: round(r.spread, 3) };
}

export function round(v: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function machineDetails(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}
