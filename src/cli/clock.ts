import { acceleratedClock } from '../service.js';
import { UsageError } from './command.js';

/** The options that set a market clock other than real time (demos, rehearsals, tests). */
export const clockOptions = {
  'clock-start': { type: 'string' },
  'clock-speed': { type: 'string' },
  'clock-origin': { type: 'string' },
} as const;

export const clockUsage = `  --clock-start ISO  run the market clock from this instant (demos, rehearsals, tests)
  --clock-speed N    with --clock-start: N times as fast as real time (default: 1)
  --clock-origin ISO with --clock-start: the real instant at which the clock read it (default: now);
                     processes given the same three values keep the same time`;

/** The clock the options describe, or undefined for real time. */
export function clockFrom(values: Record<string, string | boolean | string[] | undefined>): (() => number) | undefined {
  if (values['clock-start'] === undefined) return undefined;
  const start = Date.parse(String(values['clock-start']));
  const speed = Number(values['clock-speed'] ?? '1');
  const origin = values['clock-origin'] === undefined ? Date.now() : Date.parse(String(values['clock-origin']));
  if (Number.isNaN(start) || Number.isNaN(origin) || !(speed > 0)) throw new UsageError('--clock-start and --clock-origin need ISO date-times and --clock-speed a positive number');
  return acceleratedClock(start, speed, Date.now, origin);
}
