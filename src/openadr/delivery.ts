import type { Instant } from '../calendar/instant.js';
import { SI_EXPONENT } from '../emix/product.js';
import { granularityMs, type MarketRules } from '../terms/rules.js';
import type { TelemetryPoint } from './reports.js';

/**
 * What a VEN delivered in each market interval: the mean of its power readings (items in W) that
 * start in the interval, in the market's units. Intervals without a reading are absent.
 */
export function deliveredByInterval(points: Iterable<TelemetryPoint>, rules: MarketRules): Map<Instant, number> {
  const step = granularityMs(rules);
  const scale = 10 ** SI_EXPONENT[rules.resource.siScaleCode];
  const sums = new Map<Instant, { total: number; count: number }>();
  for (const p of points) {
    if (p.watts === undefined) continue;
    const interval = Math.floor(p.dtstart / step) * step;
    const sum = sums.get(interval) ?? { total: 0, count: 0 };
    sum.total += p.watts / scale;
    sum.count += 1;
    sums.set(interval, sum);
  }
  return new Map([...sums].map(([interval, { total, count }]) => [interval, total / count]));
}
