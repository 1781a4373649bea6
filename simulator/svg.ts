// SVG charts for simulation reports, written by hand: a histogram (bars) and a step line over time, with axes, ticks and labels.
import type { Histogram } from './stats.ts';
import { niceWidth } from './stats.ts';

const W = 640;
const H = 320;
const M = { left: 56, right: 16, top: 36, bottom: 44 };

/** Escapes text for SVG/XML. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number): string {
  if (Math.abs(x) >= 1000 && Number.isInteger(x)) return String(x);
  return String(Math.round(x * 100) / 100);
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="14" y="${M.top + (H - M.top - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + (H - M.top - M.bottom) / 2})">${escapeXml(yLabel)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

/** Y axis ticks (whole counts) from 0 to a nice maximum ≥ `max`. */
function yAxis(max: number): { top: number; ticks: number[] } {
  const step = Math.max(1, niceWidth(Math.max(1, max), 5));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { top, ticks };
}

function axes(xTicks: Array<{ x: number; label: string }>, yTicks: number[], yTop: number): string {
  const ph = H - M.top - M.bottom;
  const out: string[] = [];
  out.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`);
  for (const v of yTicks) {
    const y = H - M.bottom - (v / yTop) * ph;
    out.push(`<line x1="${M.left - 4}" y1="${y.toFixed(1)}" x2="${W - M.right}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${t.x.toFixed(1)}" y1="${H - M.bottom}" x2="${t.x.toFixed(1)}" y2="${H - M.bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${t.x.toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  return out.join('\n');
}

/** A bar chart of a histogram; an empty histogram gives a chart saying "no data". */
export function histogramSvg(h: Histogram, title: string, xLabel: string, yLabel = 'calls'): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  if (h.counts.length === 0) {
    return frame(title, xLabel, yLabel, `${axes([], [0], 1)}\n<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text>`);
  }
  const { top, ticks } = yAxis(Math.max(...h.counts));
  const bw = pw / h.counts.length;
  const bars = h.counts
    .map((c, i) => {
      const bh = (c / top) * ph;
      const x = M.left + i * bw;
      return `<rect x="${(x + 1).toFixed(1)}" y="${(H - M.bottom - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#3b82f6"><title>${fmt(h.start + i * h.width)}–${fmt(h.start + (i + 1) * h.width)}: ${c}</title></rect>`;
    })
    .join('\n');
  const every = Math.max(1, Math.ceil(h.counts.length / 8));
  const xTicks: Array<{ x: number; label: string }> = [];
  for (let i = 0; i <= h.counts.length; i += every) xTicks.push({ x: M.left + i * bw, label: fmt(h.start + i * h.width) });
  return frame(title, xLabel, yLabel, `${axes(xTicks, ticks, top)}\n${bars}`);
}

/** A step line of `points` ([x, y], x ascending): y holds until the next point. */
export function stepSvg(points: ReadonlyArray<readonly [number, number]>, title: string, xLabel: string, yLabel: string): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  if (points.length === 0) {
    return frame(title, xLabel, yLabel, `${axes([], [0], 1)}\n<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text>`);
  }
  const xMax = Math.max(points[points.length - 1][0], 1);
  const { top, ticks } = yAxis(Math.max(...points.map((p) => p[1])));
  const sx = (x: number): number => M.left + (x / xMax) * pw;
  const sy = (y: number): number => H - M.bottom - (y / top) * ph;
  let d = `M${sx(points[0][0]).toFixed(1)},${sy(points[0][1]).toFixed(1)}`;
  for (let i = 1; i < points.length; i++) d += ` H${sx(points[i][0]).toFixed(1)} V${sy(points[i][1]).toFixed(1)}`;
  const xStep = niceWidth(xMax, 8);
  const xTicks: Array<{ x: number; label: string }> = [];
  for (let v = 0; v <= xMax + 1e-9; v += xStep) xTicks.push({ x: sx(v), label: fmt(v) });
  return frame(title, xLabel, yLabel, `${axes(xTicks, ticks, top)}\n<path d="${d}" fill="none" stroke="#ef4444" stroke-width="2"/>`);
}
