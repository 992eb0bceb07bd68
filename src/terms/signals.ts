/**
 * How a market's prices become signals: OpenADR SIMPLE levels for its events, and the commands a
 * device bridge (adapters/cta2045) derives from them. Set in the market's rule file beside its rules,
 * but no part of them: the engine never sees these.
 */
import type { MarketRules, RuleProblem } from './rules.js';

export interface SimpleLevels {
  readonly moderate: number;
  readonly high: number;
  readonly special: number;
}

/**
 * Levels for rules that name none: half, three quarters and nine tenths of the way from the price
 * floor to the cap, each rounded down to a price tick.
 */
export function defaultSimpleLevels(prices: MarketRules['prices']): SimpleLevels {
  const at = (fraction: number) => {
    const ticks = Math.floor(((prices.cap - prices.floor) * fraction) / prices.tick + 1e-9);
    return Number((prices.floor + ticks * prices.tick).toFixed(12));
  };
  return { moderate: at(0.5), high: at(0.75), special: at(0.9) };
}

/** The commands a device bridge sends: CTA-2045 Basic DR's, by their command-line names. */
export const deviceCommands = ['end-shed', 'shed', 'critical-peak', 'grid-emergency', 'load-up'] as const;
export type DeviceCommand = (typeof deviceCommands)[number];

/**
 * How a device bridge turns an event into a device command: by its SIMPLE level (0 to 3), except
 * that a price at or below `loadUpAtOrBelow` in a level-0 interval is surplus to soak up; relative
 * prices are against `referencePrice` (absent: the mean of the prices the bridge has seen in the
 * last day). Prices in the market's terms, as its events carry them.
 */
export interface DeviceSignals {
  readonly levels: readonly [DeviceCommand, DeviceCommand, DeviceCommand, DeviceCommand];
  readonly loadUpAtOrBelow: number;
  readonly referencePrice?: number;
}

/** OpenADR's SIMPLE levels as CTA-2045 commands (docs/adapters/cta2045.md); load up at a price of zero or below. */
export const defaultDeviceSignals: DeviceSignals = { levels: ['end-shed', 'shed', 'critical-peak', 'grid-emergency'], loadUpAtOrBelow: 0 };

/** A market's signal mappings. */
export interface MarketSignals {
  /** OpenADR SIMPLE levels: the cleared price from which level 1 (moderate), 2 (high) and 3 (special) apply. */
  readonly simpleLevels: SimpleLevels;
  /** What a device bridge (adapters/cta2045) makes of this market's events. */
  readonly deviceSignals: DeviceSignals;
}

/** A market as its rule file defines it: the engine's rules and the protocols' signal mappings. */
export type MarketSetup = MarketRules & MarketSignals;

/** The checks of the signal mappings against the market's prices. */
export function checkSignals(setup: MarketSetup): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const { floor, cap } = setup.prices;
  const { moderate, high, special } = setup.simpleLevels;
  if (!(moderate < high && high < special)) problems.push({ element: 'simpleLevels', reason: 'must rise: moderate < high < special' });
  else if (floor < cap && (moderate <= floor || special > cap)) {
    problems.push({ element: 'simpleLevels', reason: `must lie above the price floor (${floor}) and not above the cap (${cap})` });
  }
  if (setup.deviceSignals.referencePrice !== undefined && !(setup.deviceSignals.referencePrice > 0)) {
    problems.push({ element: 'deviceSignals', reason: 'referencePrice must be above zero: relative prices are divided by it' });
  }
  return problems;
}
