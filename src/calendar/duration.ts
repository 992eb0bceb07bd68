/**
 * An ISO 8601 / RFC 5545 duration, kept component by component so that `P1M` (a calendar month)
 * is never confused with a fixed number of seconds and `PT60M` round-trips as written.
 */
export interface Duration {
  readonly negative: boolean;
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const DURATION = /^([+-])?P(?:(\d+)W|(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?)$/;

/**
 * Parses a duration. A week count must stand alone (`P2W`); `P1W2D` is rejected rather than read
 * as something else, and so are the empty forms `P` and `PT`.
 */
export function parseDuration(text: string): Duration {
  const m = DURATION.exec(text);
  if (!m || text.endsWith('T') || /^[+-]?P$/.test(text)) {
    throw new RangeError(`not an ISO 8601 duration: ${text}`);
  }
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  return {
    negative: m[1] === '-',
    weeks: n(2),
    years: n(3),
    months: n(4),
    days: n(5),
    hours: n(6),
    minutes: n(7),
    seconds: n(8),
  };
}

/** The longest length a message may give: ten years (365.25 days each), beyond any interval, window or period traded. */
export const MAX_LENGTH_MS = 315_576_000_000;

/**
 * Parses a length of time: a duration with a fixed length (weeks, days, hours, minutes, seconds),
 * not negative, at most ten years. Every duration a message carries is one (an interval's length,
 * an availability or opt period, a poll frequency...): `P1M` means nothing without a calendar
 * anchor, and a stored one would poison every later computation with it, so it is refused where it is read.
 */
export function parseLength(text: string): Duration {
  const d = parseDuration(text);
  if (d.years || d.months) throw new RangeError(`${text} has no fixed length (years and months vary): give the length in weeks, days, hours, minutes or seconds (P1D, PT15M)`);
  const ms = durationToMillis(d);
  if (ms < 0) throw new RangeError(`${text} is negative: a length of time is not`);
  if (ms > MAX_LENGTH_MS) throw new RangeError(`${text} is longer than the limit of ten years (P3652DT12H)`);
  return d;
}

/** Formats a duration with the components it has (`PT15M`, `P1DT2H`, `P2W`, `PT0S`). */
export function formatDuration(d: Duration): string {
  const sign = d.negative ? '-' : '';
  if (d.weeks) return `${sign}P${d.weeks}W`;
  const date = (d.years ? `${d.years}Y` : '') + (d.months ? `${d.months}M` : '') + (d.days ? `${d.days}D` : '');
  const time = (d.hours ? `${d.hours}H` : '') + (d.minutes ? `${d.minutes}M` : '') + (d.seconds ? `${d.seconds}S` : '');
  if (!date && !time) return `${sign}PT0S`;
  return `${sign}P${date}${time ? `T${time}` : ''}`;
}

/**
 * The exact length in milliseconds. Years and months have no fixed length, so a duration that
 * uses them is refused here; anchor it to a start instant instead (the calendar module does).
 */
export function durationToMillis(d: Duration): number {
  if (d.years || d.months) throw new RangeError(`duration ${formatDuration(d)} has no fixed length`);
  const ms = ((((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return d.negative ? -ms : ms;
}

/** A duration of a whole number of seconds, written in seconds (PT900S). */
export function durationOfMillis(ms: number): Duration {
  return { negative: ms < 0, years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: Math.abs(ms) / 1000 };
}
