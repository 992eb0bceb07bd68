/**
 * The demo on a shortened day: two morning hours (08:00-10:00 UTC) of the surplus-solar scenario,
 * in process, then two intervals through `micromarket demo` as a process. The summary's numbers are
 * checked against each other where they come from different records: the markets' transactions,
 * the intertie's own records, and the device models.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plotSvg } from '../../src/demo/plot.js';
import { profiles } from '../../src/demo/profiles.js';
import { runDemo, type DemoResult } from '../../src/demo/run.js';
import { formatSummary } from '../../src/demo/summary.js';

const START = Date.UTC(2026, 6, 15, 8, 0);
const LOSS = 0.02; // market-rules/demo/home.xml
let result: DemoResult;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-demo-test-'));
  result = await runDemo({ intervals: 8, start: START });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const energy = (kw: (r: DemoResult['records'][number]) => number) => result.records.reduce((sum, r) => sum + kw(r), 0) * 0.25;
const net = (partyID: string) => result.summary.costs.find((c) => c.partyID === partyID)!.netKwh;

describe('the demo on a shortened day', () => {
  it('runs every interval and balances both markets and the intertie to the watt-hour', () => {
    const s = result.summary;
    expect(s.intervals).toBe(8);
    expect(result.records.map((r) => r.interval)).toEqual(Array.from({ length: 8 }, (_, k) => START + k * 900_000));
    // Per interval, the home's parties' net less the intertie's and the market account's is zero.
    expect(s.homeBalanceErrorKwh).toBeLessThan(1e-6);
    // What the intertie recorded at the home's side is what the home bought (less losses) and sold (plus losses) in the feeder.
    expect(s.intertieErrorKwh).toBeLessThan(1e-6);
    expect(s.lossesKwh).toBeCloseTo(LOSS * s.feederBoughtKwh + LOSS * s.exportedKwh, 9);
    expect(s.importedKwh).toBeCloseTo(s.feederBoughtKwh * (1 - LOSS), 9);
    expect(s.feederSoldKwh).toBeCloseTo(s.exportedKwh * (1 - LOSS), 9);
    // Traded locally is at most what either side traded, and the rest crossed the intertie or the account.
    expect(s.localKwh).toBeLessThanOrEqual(Math.min(s.homeBoughtKwh, s.homeSoldKwh) + 1e-9);
    expect(s.localKwh).toBeGreaterThan(0);
  });

  it('lets the devices do what they bought: the battery, the EV and the air conditioner ran their positions, to the quantity tick', () => {
    // A curve goes into the market as step tenders truncated to the 0.001 kW quantity tick: at most a tick per interval.
    const ticks = 0.001 * 0.25 * result.records.length;
    for (const [kw, party] of [[(r: DemoResult['records'][number]) => r.loads.battery, 'battery'], [(r: DemoResult['records'][number]) => r.loads.ac, 'thermostat'],
      [(r: DemoResult['records'][number]) => r.loads.ev, 'ev']] as const) {
      expect(Math.abs(energy(kw) - net(party)), party).toBeLessThanOrEqual(ticks);
    }
    expect(net('battery')).toBeGreaterThan(1); // it did charge
    // PV sells its forecast (its output at the interval's start) whatever the price; what it produced differs by the forecast's error.
    const forecast = result.records.reduce((sum, r) => sum + profiles.homePv(r.interval), 0) * 0.25;
    expect(Math.abs(-net('pv') - forecast)).toBeLessThanOrEqual(0.001 * 0.25 * result.records.length);
  });

  it('shows the scenario: cheap surplus after 08:15 charges the battery, loads up the water heater and pre-cools the house', () => {
    const cheap = result.records.filter((r) => r.homePrice !== null && r.homePrice <= 0.08);
    expect(cheap.length).toBeGreaterThan(0);
    // The water heater loads up (CTA-2045 Load Up via the bridge) to above its 55 °C setpoint.
    expect(Math.max(...result.records.map((r) => r.heaterC))).toBeGreaterThan(60);
    // The battery charges at its full 5 kW when power costs 0.10 or less.
    for (const r of result.records.filter((x) => x.homePrice !== null && x.homePrice <= 0.1 && x.interval < START + 4 * 900_000)) expect(r.loads.battery).toBeGreaterThan(0);
    // The house is cooled below the 24 °C a plain thermostat keeps.
    expect(Math.min(...result.records.map((r) => r.indoorC))).toBeLessThan(22.5);
  });

  it('draws its plot as well-formed SVG with the prices, loads and temperatures', () => {
    const svg = plotSvg(result.records);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2 + 7 + 2);
    for (const title of ['Clearing prices', 'Home loads', 'Temperatures']) expect(svg).toContain(title);
    expect(formatSummary(result.summary)).toMatch(/^Intervals run: 8 of 15 minutes\n/);
  });
});

describe('npm run demo, as a process', () => {
  it('prints the summary and writes the plot', async () => {
    const cli = fileURLToPath(new URL('../../dist/src/cli/micromarket.js', import.meta.url));
    const out = join(dir, 'demo.svg');
    const run = spawnSync(process.execPath, [cli, 'demo', '--intervals', '2', '--start', '2026-07-15T08:00:00Z', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Intervals run: 2 of 15 minutes$/m);
    expect(run.stdout).toMatch(/^Balance: largest error per interval 0\.000000 kWh in the home, 0\.000000 kWh across the intertie/m);
    expect(run.stdout).toContain(`Plot: ${out}`);
    expect(XMLValidator.validate(await readFile(out, 'utf8'))).toBe(true);
  }, 120_000);

  it('refuses a start off the quarter hour', () => {
    const cli = fileURLToPath(new URL('../../dist/src/cli/micromarket.js', import.meta.url));
    const run = spawnSync(process.execPath, [cli, 'demo', '--start', '2026-07-15T08:07:00Z'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--start must be an ISO date-time on a quarter hour');
  });
});
