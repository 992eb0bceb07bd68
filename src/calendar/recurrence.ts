import ICAL from 'ical.js';
import type { Recurrence } from './availability.js';
import type { Instant } from './instant.js';
import { instantOf, wallTimeAt, type WallTime } from './zone.js';

/** A floating (zone-less) ical.js time: recurrence is expanded in wall time, zones are applied by us. */
function icalTime(w: WallTime): ICAL.Time {
  return new ICAL.Time({ year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second, isDate: false }, ICAL.Timezone.localTimezone);
}

/** Our recurrence rule as an ical.js Recur, with UNTIL in the window's wall time. */
export function toIcalRecur(rule: Recurrence, tzid: string | undefined): ICAL.Recur {
  const parts: Record<string, unknown> = { freq: rule.freq };
  if (rule.until !== undefined) parts.until = icalTime(wallTimeAt(rule.until, tzid));
  if (rule.count !== undefined) parts.count = rule.count;
  if (rule.interval !== undefined) parts.interval = rule.interval;
  const lists = ['bysecond', 'byminute', 'byhour', 'byday', 'bymonthday', 'byyearday', 'byweekno', 'bymonth', 'bysetpos'] as const;
  for (const key of lists) if (rule[key].length > 0) parts[key] = rule[key];
  if (rule.wkst) parts.wkst = rule.wkst;
  return ICAL.Recur.fromData(parts as Parameters<typeof ICAL.Recur.fromData>[0]);
}

/**
 * Start instants of a recurring window (its first start included), ascending, up to `until`.
 * The rule is expanded by ical.js in the window's own time zone, so "every weekday at 06:00
 * Europe/Amsterdam" stays at 06:00 local across daylight-saving changes.
 */
export function* occurrences(start: Instant, rule: Recurrence | undefined, tzid: string | undefined, until: Instant): Generator<Instant> {
  if (!rule) {
    if (start <= until) yield start;
    return;
  }
  const iterator = toIcalRecur(rule, tzid).iterator(icalTime(wallTimeAt(start, tzid)));
  for (let next = iterator.next(); next; next = iterator.next()) {
    const at = instantOf({ year: next.year, month: next.month, day: next.day, hour: next.hour, minute: next.minute, second: next.second }, tzid);
    if (at > until) return;
    yield at;
  }
}
