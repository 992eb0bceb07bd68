import type { Availability, CalendarProperties } from './availability.js';
import { durationToMillis } from './duration.js';
import type { Instant } from './instant.js';
import { occurrences } from './recurrence.js';

const FOREVER = 8.64e15; // the largest Date

/** The time range a component's properties cover: [dtstart, dtend or dtstart + duration). */
function range(p: CalendarProperties | undefined): [Instant, Instant] {
  const start = p?.dtstart ?? -FOREVER;
  if (p?.dtend !== undefined) return [start, p.dtend];
  if (p?.duration !== undefined && p.dtstart !== undefined) return [start, start + durationToMillis(p.duration)];
  return [start, FOREVER];
}

/** True if one occurrence of the window covers all of [start, end). */
function windowCovers(window: CalendarProperties, start: Instant, end: Instant): boolean {
  if (window.dtstart === undefined) return false;
  const [first, firstEnd] = range(window);
  const length = firstEnd - first;
  for (const at of occurrences(window.dtstart, window.rrule, window.tzid, start)) {
    if (at + length >= end) return true;
  }
  return false;
}

/**
 * Whether [start, end) is free according to a set of VAVAILABILITY components (RFC 7953): time a
 * component's range covers is busy except inside its AVAILABLE windows; time no component covers
 * is free. When components overlap, any that leaves the span busy makes it busy.
 */
export function isAvailable(availabilities: readonly Availability[], start: Instant, end: Instant): boolean {
  for (const availability of availabilities) {
    const [from, to] = range(availability.properties);
    if (to <= start || from >= end) continue;
    const inside = from <= start && to >= end;
    if (!inside || !availability.available.some((a) => windowCovers(a.properties, start, end))) return false;
  }
  return true;
}

/** Whether one of the component's AVAILABLE windows covers all of [start, end) (ignoring the busy time around them). */
export function insideWindow(availability: Availability, start: Instant, end: Instant): boolean {
  return availability.available.some((a) => windowCovers(a.properties, start, end));
}

const PLAIN_WEEKDAY = /^(SU|MO|TU|WE|TH|FR|SA)$/;

/**
 * Why a party may not declare this availability, or undefined if it may. ical.js searches forever
 * for a rule no date satisfies (DAILY;BYMONTH=2;BYMONTHDAY=30), in the thread that serves every
 * party, so the windows a party declares recur only DAILY or WEEKLY on plain weekdays (with INTERVAL,
 * COUNT, UNTIL, WKST), which always occur. Market rules, which the operator writes, may use any rule.
 */
export function undeclarable(availability: Availability): string | undefined {
  for (const p of [availability.properties, ...availability.available.map((a) => a.properties)]) {
    const rule = p?.rrule;
    if (!rule) continue;
    const richer = rule.bysecond.length + rule.byminute.length + rule.byhour.length + rule.bymonthday.length + rule.byyearday.length
      + rule.byweekno.length + rule.bymonth.length + rule.bysetpos.length > 0;
    if ((rule.freq !== 'DAILY' && rule.freq !== 'WEEKLY') || richer || !rule.byday.every((d) => PLAIN_WEEKDAY.test(d))) {
      return 'a declared window recurs DAILY or WEEKLY, on plain weekdays (BYDAY=MO,TU...), with INTERVAL, COUNT, UNTIL or WKST if need be';
    }
  }
  return undefined;
}
