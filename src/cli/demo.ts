import { writeFile } from 'node:fs/promises';
import { runDemo } from '../demo/run.js';
import { plotSvg } from '../demo/plot.js';
import { formatSummary } from '../demo/summary.js';
import { port, untilStopped, UsageError, type Command } from './command.js';

/** A progress bar on a terminal; nothing on a pipe but the end. */
function progress(done: number, total: number, at: number): void {
  if (!process.stderr.isTTY) return;
  const width = 40;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${new Date(at).toISOString().slice(11, 16)} UTC`);
  if (done === total) process.stderr.write('\n');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the surplus-solar pre-cool scenario: a simulated day of a home under a feeder',
  usage: `Usage: micromarket demo [--intervals N] [--start ISO] [--out FILE] [--live [--port N]]

Runs a simulated summer day in seconds on a service of its own (embedded store, temporary data):
a home market (rooftop PV, an air conditioner that pre-cools when power is cheap, a water heater on
the CTA-2045 emulator behind the UCM bridge, a battery and an EV as PowerMatcher agents, the
household's other loads) nested under a feeder market (the grid supplier, a solar farm, an
aggregator's buildings as an OpenADR VEN). Prints what was traded locally and through the
intertie, the balance, the peak against a baseline without the market, and each participant's
cost; writes a plot of prices, loads and temperatures. See docs/demo.md.

Options:
  --intervals N   15-minute intervals to run (default: 96, a day)
  --start ISO     the first interval (default: 2026-07-15T00:00:00Z)
  --out FILE      where the plot goes (default: demo.svg)
  --live          keep the service running afterwards, to watch it on its dashboard
  --port N        the service's port with --live (default: 8080)
  -h, --help      show this help`,
  options: {
    intervals: { type: 'string' },
    start: { type: 'string' },
    out: { type: 'string' },
    live: { type: 'boolean' },
    port: { type: 'string' },
  },
  allowPositionals: false,
  async run(values) {
    const intervals = Number(values.intervals ?? '96');
    if (!Number.isInteger(intervals) || intervals < 1 || intervals > 960) throw new UsageError(`--intervals must be 1 to 960, not ${String(values.intervals)}`);
    const start = values.start === undefined ? undefined : Date.parse(String(values.start));
    if (start !== undefined && (Number.isNaN(start) || start % 900_000 !== 0)) throw new UsageError('--start must be an ISO date-time on a quarter hour, such as 2026-07-15T00:00:00Z');
    const out = String(values.out ?? 'demo.svg');
    const result = await runDemo({ intervals, ...(start !== undefined ? { start } : {}), progress,
      ...(values.live ? { live: { port: port(String(values.port ?? '8080')) } } : {}) });
    await writeFile(out, plotSvg(result.records));
    process.stdout.write(`${formatSummary(result.summary)}\nPlot: ${out}\n`);
    if (!result.live) return 0;
    const { url, operatorToken, stop } = result.live;
    process.stdout.write(`\nThe service stays up: ${url}/dashboard\nOperator token (paste it on the dashboard):\n${operatorToken}\nStop with Ctrl-C.\n`);
    return untilStopped(stop);
  },
};
