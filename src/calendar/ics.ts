import ICAL from 'ical.js';
import type { Availability, BusyType, CalendarProperties, Recurrence } from './availability.js';
import { formatDuration, parseLength } from './duration.js';
import type { Instant } from './instant.js';
import { toIcalRecur } from './recurrence.js';
import { instantOf, isKnownZone, wallTimeAt } from './zone.js';

export class IcsError extends Error {}

const BUSY_TYPES: readonly string[] = ['BUSY', 'BUSY-UNAVAILABLE', 'BUSY-TENTATIVE'];

function readTime(component: ICAL.Component, name: string): { at: Instant; tzid?: string } | undefined {
  const property = component.getFirstProperty(name);
  if (!property) return undefined;
  const time = property.getFirstValue() as ICAL.Time;
  const tzid = property.getParameter('tzid') as string | undefined;
  if (tzid && !isKnownZone(tzid)) throw new IcsError(`${name.toUpperCase()}: unknown time zone ${tzid}`);
  const wall = { year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second };
  // UTC values are exact; a TZID value is wall time in that zone; a floating value is read as UTC.
  return { at: instantOf(wall, time.zone === ICAL.Timezone.utcTimezone ? undefined : tzid), ...(tzid ? { tzid } : {}) };
}

function readRecurrence(component: ICAL.Component): Recurrence | undefined {
  const recur = component.getFirstPropertyValue('rrule') as ICAL.Recur | null;
  if (!recur) return undefined;
  const parts = recur.parts as Record<string, Array<number | string> | undefined>;
  const numbers = (key: string) => (parts[key.toUpperCase()] ?? []).map(Number);
  const rule: Recurrence = {
    freq: recur.freq as Recurrence['freq'],
    bysecond: numbers('bysecond'), byminute: numbers('byminute'), byhour: numbers('byhour'),
    byday: (parts.BYDAY ?? []).map(String), bymonthday: numbers('bymonthday'), byyearday: numbers('byyearday'),
    byweekno: numbers('byweekno'), bymonth: numbers('bymonth'), bysetpos: numbers('bysetpos'),
  };
  if (recur.until) rule.until = instantOf({ year: recur.until.year, month: recur.until.month, day: recur.until.day,
    hour: recur.until.hour, minute: recur.until.minute, second: recur.until.second });
  if (recur.count) rule.count = recur.count;
  if (recur.interval && recur.interval !== 1) rule.interval = recur.interval;
  if (recur.wkst && recur.wkst !== ICAL.Time.MONDAY) rule.wkst = ['', 'SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][recur.wkst];
  return rule;
}

function readProperties(component: ICAL.Component): CalendarProperties {
  const p: CalendarProperties = {};
  const start = readTime(component, 'dtstart');
  if (start) {
    p.dtstart = start.at;
    if (start.tzid) p.tzid = start.tzid;
  }
  const end = readTime(component, 'dtend');
  if (end) p.dtend = end.at;
  const duration = component.getFirstPropertyValue('duration') as ICAL.Duration | null;
  if (duration) p.duration = parseLength(duration.toString());
  const uid = component.getFirstPropertyValue('uid');
  if (uid) p.uid = String(uid);
  const summary = component.getFirstPropertyValue('summary');
  if (summary) p.summary = String(summary);
  const busytype = component.getFirstPropertyValue('busytype');
  if (busytype) {
    if (!BUSY_TYPES.includes(String(busytype))) throw new IcsError(`BUSYTYPE ${String(busytype)} is not one of ${BUSY_TYPES.join(', ')}`);
    p.busytype = String(busytype) as BusyType;
  }
  const rrule = readRecurrence(component);
  if (rrule) p.rrule = rrule;
  return p;
}

/** Reads every VAVAILABILITY of an iCalendar text (RFC 5545 + RFC 7953). */
export function availabilityFromIcs(text: string): Availability[] {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (error) {
    throw new IcsError(`not iCalendar: ${(error as Error).message}`);
  }
  const found = root.name === 'vavailability' ? [root] : root.getAllSubcomponents('vavailability');
  if (found.length === 0) throw new IcsError('no VAVAILABILITY component');
  return found.map((v) => ({
    properties: readProperties(v),
    available: v.getAllSubcomponents('available').map((a) => {
      const properties = readProperties(a);
      if (properties.dtstart === undefined) throw new IcsError('AVAILABLE without DTSTART');
      return { properties };
    }),
  }));
}

function writeTime(component: ICAL.Component, name: string, at: Instant, tzid?: string): void {
  if (!tzid) {
    component.addPropertyWithValue(name, ICAL.Time.fromJSDate(new Date(at), true));
    return;
  }
  const w = wallTimeAt(at, tzid);
  const property = component.addPropertyWithValue(name, new ICAL.Time({ ...w, isDate: false }, ICAL.Timezone.localTimezone));
  property.setParameter('tzid', tzid);
}

function writeProperties(component: ICAL.Component, p: CalendarProperties, uid: string, stamp: Instant): void {
  component.addPropertyWithValue('uid', p.uid ?? uid);
  component.addPropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(stamp), true));
  if (p.dtstart !== undefined) writeTime(component, 'dtstart', p.dtstart, p.tzid);
  if (p.dtend !== undefined) writeTime(component, 'dtend', p.dtend, p.tzid);
  if (p.duration) component.addPropertyWithValue('duration', ICAL.Duration.fromString(formatDuration(p.duration)));
  if (p.busytype) component.addPropertyWithValue('busytype', p.busytype);
  if (p.summary) component.addPropertyWithValue('summary', p.summary);
  if (p.rrule) component.addPropertyWithValue('rrule', toIcalRecur(p.rrule, p.tzid));
}

/**
 * Writes availabilities as an iCalendar text people can open. `stamp` becomes every DTSTAMP
 * (passed in rather than read from the clock, so the output is reproducible).
 */
export function availabilityToIcs(availabilities: readonly Availability[], stamp: Instant): string {
  const calendar = new ICAL.Component(['vcalendar', [], []]);
  calendar.addPropertyWithValue('prodid', '-//micromarket//availability//EN');
  calendar.addPropertyWithValue('version', '2.0');
  availabilities.forEach((availability, i) => {
    const v = new ICAL.Component('vavailability');
    writeProperties(v, availability.properties ?? {}, `availability-${i}`, stamp);
    availability.available.forEach((window, j) => {
      const a = new ICAL.Component('available');
      writeProperties(a, window.properties, `availability-${i}-${j}`, stamp);
      v.addSubcomponent(a);
    });
    calendar.addSubcomponent(v);
  });
  return calendar.toString().replace(/\r?\n/g, '\r\n');
}
