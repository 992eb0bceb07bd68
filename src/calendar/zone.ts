import type { Instant } from './instant.js';

/** A wall-clock reading: what a clock in some time zone shows. Months are 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tzid: string): Intl.DateTimeFormat {
  let f = formatters.get(tzid);
  if (!f) {
    // Throws RangeError for a zone the runtime's IANA database does not know.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tzid, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tzid, f);
  }
  return f;
}

/** The wall time in `tzid` at an instant; UTC when tzid is undefined. */
export function wallTimeAt(instant: Instant, tzid?: string): WallTime {
  if (!tzid) {
    const d = new Date(instant);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
  const out: Record<string, number> = {};
  for (const part of formatter(tzid).formatToParts(instant)) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute!, second: out.second! };
}

const asUtc = (w: WallTime) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/**
 * The instant a wall time denotes in `tzid` (UTC when undefined): two passes of "wall time minus
 * the zone's offset", the second correcting for an offset change between the guess and the answer.
 * A wall time skipped by a DST change resolves to the instant one offset-change later.
 */
export function instantOf(wall: WallTime, tzid?: string): Instant {
  const guess = asUtc(wall);
  if (!tzid) return guess;
  const offsetAt = (t: number) => asUtc(wallTimeAt(t, tzid)) - Math.floor(t / 1000) * 1000;
  const first = offsetAt(guess);
  const second = offsetAt(guess - first);
  return guess - second;
}

/** Checks that the runtime knows a time zone. */
export function isKnownZone(tzid: string): boolean {
  try {
    formatter(tzid);
    return true;
  } catch {
    return false;
  }
}
