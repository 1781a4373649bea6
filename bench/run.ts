// The benchmark runner: discovers bench/suites/*.bench.ts, runs them, prints a table, writes JSON.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult, BenchSuite } from './harness.ts';
import { machineDetails } from './harness.ts';

export interface BenchRunOptions {
  filter?: string;
  json?: string;
  quick: boolean;
  out?: (line: string) => void;
}

export interface BenchRunReport {
  date: string;
  quick: boolean;
  machine: Record<string, string | number>;
  results: BenchResult[];
}

const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));

export async function loadSuites(): Promise<BenchSuite[]> {
  const files = (await readdir(suitesDir)).filter((f) => f.endsWith('.bench.ts')).sort();
  const suites: BenchSuite[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(suitesDir, f)).href)) as { suite?: BenchSuite };
    if (mod.suite) suites.push(mod.suite);
  }
  return suites;
}

export async function runBenchmarks(opts: BenchRunOptions): Promise<BenchRunReport> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const filter = opts.filter?.toLowerCase();
  const results: BenchResult[] = [];
  for (const suite of await loadSuites()) {
    if (filter && !suite.name.toLowerCase().includes(filter)) continue;
    out(`# ${suite.name}`);
    const got = await suite.run({ quick: opts.quick, log: out });
    for (const r of got) out(`  ${formatRow(r)}`);
    results.push(...got);
  }
  const report: BenchRunReport = { date: new Date().toISOString(), quick: opts.quick, machine: machineDetails(), results };
  out('');
  out(markdownTable(results));
  const file = opts.json ?? defaultResultsFile(opts.quick);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(file.replace(/\.json$/, '.md'), `${markdownTable(results)}\n`);
  out(`results written to ${file}`);
  return report;
}

function defaultResultsFile(quick: boolean): string {
  const day = new Date().toISOString().slice(0, 10);
  return fileURLToPath(new URL(`./results/${day}-${os.hostname()}${quick ? '-quick' : ''}.json`, import.meta.url));
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return String(v);
}

function formatRow(r: BenchResult): string {
  const base = r.baseline ? `  vs ${r.baseline.name} ${fmt(r.baseline.value)}  ratio ${r.ratio}×` : '';
  return `${r.name}: ${fmt(r.value)} ${r.unit}${base}`;
}

export function markdownTable(results: BenchResult[]): string {
  const lines = ['| benchmark | value | unit | baseline | baseline value | ratio |', '|---|---:|---|---|---:|---:|'];
  for (const r of results) {
    lines.push(`| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.baseline?.name ?? ''} | ${r.baseline ? fmt(r.baseline.value) : ''} | ${r.ratio ?? ''} |`);
  }
  return lines.join('\n');
}
