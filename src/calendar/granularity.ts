import type { Instant } from './instant.js';

/**
 * Market intervals are the consecutive spans of one granularity counted from the Unix epoch, so a
 * 15-minute market's intervals start at :00, :15, :30 and :45 UTC and a daily one at 00:00 UTC.
 */
export function isAligned(instant: Instant, granularityMs: number): boolean {
  return instant % granularityMs === 0;
}

/** Start of the interval that contains `instant`. */
export function intervalStart(instant: Instant, granularityMs: number): Instant {
  return instant - (((instant % granularityMs) + granularityMs) % granularityMs);
}
