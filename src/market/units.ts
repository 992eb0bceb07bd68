/**
 * What a quantity in a market's unit means over one interval. A rate (power in W, VA or var; any unit
 * per time, m3/h or bit/s) is held through the interval, so the amount traded is the quantity times
 * the interval's hours and a price is per unit-hour (EUR/kWh for a kW market). An amount (Wh, m3, J)
 * is traded as written and priced per unit. docs/market-rules.md states the rule.
 */
const POWER = new Set(['W', 'VA', 'var', 'VAr', 'VAR']);
const PER_TIME = /\/(s|min|h)$/;

/** The amount one unit of quantity stands for over an interval of `intervalMs`: its hours for a rate, else 1. */
export function amountPerUnit(units: string, intervalMs: number): number {
  return POWER.has(units) || PER_TIME.test(units) ? intervalMs / 3_600_000 : 1;
}
