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
