import { readFileSync } from 'node:fs';
import { acceleratedClock } from '../service/index.js';
import { UsageError } from './command.js';

/** The options that set a market clock other than real time (demos, rehearsals, tests). */
export const clockOptions = {
  'clock-start': { type: 'string' },
  'clock-speed': { type: 'string' },
  'clock-origin': { type: 'string' },
  'clock-file': { type: 'string' },
} as const;

export const clockUsage = `  --clock-start ISO  run the market clock from this instant (demos, rehearsals, tests)
  --clock-speed N    with --clock-start: N times as fast as real time (default: 1)
  --clock-origin ISO with --clock-start: the real instant at which the clock read it (default: now);
                     processes given the same three values keep the same time
  --clock-file FILE  the market clock is the ISO instant written in FILE, read at every reading: it
                     stands still until FILE is rewritten (rehearsals, tests that move time step by
                     step); processes given the same file keep the same time`;

/**
 * A clock that stands still at the instant written in a file until the file changes. Read at every
 * reading, so a process sees a new time from the first reading after the file was replaced; a file
 * caught being rewritten (or gone) keeps the last time read.
 */
function fileClock(file: string): () => number {
  const read = () => {
    const at = Date.parse(readFileSync(file, 'utf8').trim());
    if (Number.isNaN(at)) throw new Error(`${file} holds no ISO date-time`);
    return at;
  };
  let last: number;
  try {
    last = read();
  } catch (error) {
    throw new UsageError(`--clock-file: ${(error as Error).message}`);
  }
  return () => {
    try {
      last = read();
    } catch {
      // keep the last time read
    }
    return last;
  };
}

/** The clock the options describe, or undefined for real time. */
export function clockFrom(values: Record<string, string | boolean | string[] | undefined>): (() => number) | undefined {
  if (values['clock-file'] !== undefined) {
    if (values['clock-start'] !== undefined) throw new UsageError('--clock-file and --clock-start are two different clocks: give one');
    return fileClock(String(values['clock-file']));
  }
  if (values['clock-start'] === undefined) return undefined;
  const start = Date.parse(String(values['clock-start']));
  const speed = Number(values['clock-speed'] ?? '1');
  const origin = values['clock-origin'] === undefined ? Date.now() : Date.parse(String(values['clock-origin']));
  if (Number.isNaN(start) || Number.isNaN(origin) || !(speed > 0)) throw new UsageError('--clock-start and --clock-origin need ISO date-times and --clock-speed a positive number');
  return acceleratedClock(start, speed, Date.now, origin);
}
