/**
 * The demo's plot as a standalone SVG: prices (home and feeder), the home's loads by device with its
 * net import and the baseline's, and the water heater's and the house's temperatures, on one time
 * axis. Written directly: three panels of polylines need no charting library.
 */
import type { IntervalRecord } from './summary.js';

const W = 960;
const PANEL = 200;
const LEFT = 64;
const RIGHT = 150;
const GAP = 36;

interface Series { readonly label: string; readonly color: string; readonly values: ReadonlyArray<number | null>; readonly dashed?: boolean }

const escape = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function panel(top: number, title: string, unit: string, series: readonly Series[], times: readonly number[], fromZero = true): string {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  let min = Math.min(fromZero ? 0 : Number.POSITIVE_INFINITY, ...values);
  let max = Math.max(...values, min + 1e-9);
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  const width = W - LEFT - RIGHT;
  const x = (i: number) => LEFT + (times.length <= 1 ? 0 : (i / (times.length - 1)) * width);
  const y = (v: number) => top + PANEL - ((v - min) / (max - min)) * PANEL;
  const out = [`<text x="${LEFT}" y="${top - 8}" font-weight="600">${escape(title)}</text>`,
    `<rect x="${LEFT}" y="${top}" width="${width}" height="${PANEL}" fill="none" stroke="#ccd"/>`];
  for (let k = 0; k <= 4; k++) {
    const v = min + ((max - min) * k) / 4;
    out.push(`<line x1="${LEFT}" x2="${LEFT + width}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eef"/>`,
      `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${v.toFixed(Math.abs(max - min) < 2 ? 2 : 1)}</text>`);
  }
  if (min < 0 && max > 0) out.push(`<line x1="${LEFT}" x2="${LEFT + width}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#99a"/>`);
  out.push(`<text x="14" y="${top + PANEL / 2}" font-size="11" transform="rotate(-90 14 ${top + PANEL / 2})" text-anchor="middle">${escape(unit)}</text>`);
  series.forEach((s, n) => {
    const points = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p) => p !== null);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${points.join(' ')}"/>`,
      `<line x1="${W - RIGHT + 12}" x2="${W - RIGHT + 30}" y1="${top + 10 + n * 16}" y2="${top + 10 + n * 16}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${W - RIGHT + 36}" y="${top + 14 + n * 16}" font-size="11">${escape(s.label)}</text>`);
  });
  return out.join('\n');
}

export function plotSvg(records: readonly IntervalRecord[]): string {
  const times = records.map((r) => r.interval);
  const panels = [
    panel(40, 'Clearing prices', 'EUR/kWh', [
      { label: 'home', color: '#1f6feb', values: records.map((r) => r.homePrice) },
      { label: 'feeder', color: '#8250df', values: records.map((r) => r.feederPrice), dashed: true },
    ], times),
    panel(40 + PANEL + GAP + 20, 'Home loads (kW, mean per interval; PV negative)', 'kW', [
      { label: 'net import', color: '#111', values: records.map((r) => r.net) },
      { label: 'baseline net', color: '#999', values: records.map((r) => r.baselineNet), dashed: true },
      { label: 'PV', color: '#e3a008', values: records.map((r) => r.loads.pv) },
      { label: 'air conditioner', color: '#0a9396', values: records.map((r) => r.loads.ac) },
      { label: 'water heater', color: '#d1242f', values: records.map((r) => r.loads.waterHeater) },
      { label: 'battery', color: '#2da44e', values: records.map((r) => r.loads.battery) },
      { label: 'EV', color: '#6e40c9', values: records.map((r) => r.loads.ev) },
    ], times),
    panel(40 + 2 * (PANEL + GAP + 20), 'Temperatures', '°C', [
      { label: 'water heater', color: '#d1242f', values: records.map((r) => r.heaterC) },
      { label: 'indoor', color: '#0a9396', values: records.map((r) => r.indoorC) },
    ], times, false),
  ];
  const height = 40 + 3 * (PANEL + GAP + 20);
  const hours = records.filter((r) => r.interval % 10_800_000 === 0)
    .map((r) => {
      const i = records.indexOf(r);
      const px = LEFT + (records.length <= 1 ? 0 : (i / (records.length - 1)) * (W - LEFT - RIGHT));
      return `<text x="${px.toFixed(1)}" y="${height - 16}" font-size="11" text-anchor="middle">${new Date(r.interval).toISOString().slice(11, 16)}</text>`;
    });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${panels.join('\n')}
${hours.join('\n')}
<text x="${W - RIGHT}" y="${height - 16}" font-size="11" text-anchor="end">UTC</text>
</svg>
`;
}
