import { describe, expect, it } from 'vitest';
import type { Availability } from '../../src/calendar/availability.js';
import { isAvailable } from '../../src/calendar/availability-check.js';
import { parseDuration } from '../../src/calendar/duration.js';
import { availabilityFromIcs, availabilityToIcs } from '../../src/calendar/ics.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from '../support/schemas.js';

const at = (iso: string) => Date.parse(iso);
const q = 15 * 60_000;
const weekdays = (byday = ['MO', 'TU', 'WE', 'TH', 'FR']) => ({
  freq: 'WEEKLY' as const, bysecond: [], byminute: [], byhour: [], byday, bymonthday: [], byyearday: [], byweekno: [],
  bymonth: [], bysetpos: [],
});

// Market hours: weekdays 06:00-22:00 Amsterdam time, from Monday 2 November 2026.
const hours: Availability = {
  available: [{ properties: { dtstart: at('2026-11-02T05:00:00Z'), dtend: at('2026-11-02T21:00:00Z'), tzid: 'Europe/Amsterdam', rrule: weekdays() } }],
};

describe('availability (RFC 7953) with recurrence', () => {
  it('is open on a weekday from 06:00 local (05:00Z in winter) and closed the quarter before', () => {
    expect(isAvailable([hours], at('2026-11-23T05:00:00Z'), at('2026-11-23T05:00:00Z') + q)).toBe(true);
    expect(isAvailable([hours], at('2026-11-23T04:45:00Z'), at('2026-11-23T05:00:00Z'))).toBe(false);
    expect(isAvailable([hours], at('2026-11-23T20:45:00Z'), at('2026-11-23T21:00:00Z'))).toBe(true);
    expect(isAvailable([hours], at('2026-11-23T21:00:00Z'), at('2026-11-23T21:15:00Z'))).toBe(false);
  });

  it('keeps 06:00 local after the change to summer time (04:00Z on 5 April 2027)', () => {
    expect(isAvailable([hours], at('2027-04-05T04:00:00Z'), at('2027-04-05T04:15:00Z'))).toBe(true);
    expect(isAvailable([hours], at('2027-04-05T03:45:00Z'), at('2027-04-05T04:00:00Z'))).toBe(false);
  });

  it('is closed at weekends and for a span that leaves the window', () => {
    expect(isAvailable([hours], at('2026-11-28T10:00:00Z'), at('2026-11-28T10:15:00Z'))).toBe(false);
    expect(isAvailable([hours], at('2026-11-23T20:45:00Z'), at('2026-11-23T21:15:00Z'))).toBe(false);
  });

  it('leaves time outside every VAVAILABILITY range free, and honours COUNT', () => {
    const bounded: Availability = {
      properties: { dtstart: at('2026-12-01T00:00:00Z'), dtend: at('2026-12-08T00:00:00Z') },
      available: [{ properties: { dtstart: at('2026-12-01T08:00:00Z'), duration: parseDuration('PT2H'),
        rrule: { ...weekdays([]), freq: 'DAILY', count: 2 } } }],
    };
    expect(isAvailable([bounded], at('2026-11-30T12:00:00Z'), at('2026-11-30T12:15:00Z'))).toBe(true);
    expect(isAvailable([bounded], at('2026-12-02T08:00:00Z'), at('2026-12-02T08:15:00Z'))).toBe(true);
    expect(isAvailable([bounded], at('2026-12-03T08:00:00Z'), at('2026-12-03T08:15:00Z'))).toBe(false);
    expect(isAvailable([], at('2026-12-03T08:00:00Z'), at('2026-12-03T08:15:00Z'))).toBe(true);
  });
});

describe('.ics import and export', () => {
  const ics = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//operator//hours//EN',
    'BEGIN:VAVAILABILITY', 'UID:home-hours', 'DTSTAMP:20261122T000000Z', 'BUSYTYPE:BUSY-UNAVAILABLE',
    'BEGIN:AVAILABLE', 'UID:weekdays', 'DTSTAMP:20261122T000000Z',
    'DTSTART;TZID=Europe/Amsterdam:20261102T060000', 'DTEND;TZID=Europe/Amsterdam:20261102T220000',
    'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'SUMMARY:market open', 'END:AVAILABLE',
    'END:VAVAILABILITY', 'END:VCALENDAR', '',
  ].join('\r\n');

  it('reads operator-written hours with a time zone into the same model', () => {
    const [read] = availabilityFromIcs(ics);
    expect(read).toEqual({
      properties: { uid: 'home-hours', busytype: 'BUSY-UNAVAILABLE' },
      available: [{ properties: { ...hours.available[0]!.properties, uid: 'weekdays', summary: 'market open' } }],
    });
    expect(isAvailable([read!], at('2027-04-05T04:00:00Z'), at('2027-04-05T04:15:00Z'))).toBe(true);
  });

  it('writes what it reads, in local time with TZID', () => {
    const written = availabilityToIcs(availabilityFromIcs(ics), Date.UTC(2026, 10, 22));
    expect(written).toContain('DTSTART;TZID=Europe/Amsterdam:20261102T060000\r\n');
    expect(written).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\n');
    expect(availabilityFromIcs(written)).toEqual(availabilityFromIcs(ics));
  });

  it('carries the same availability from .ics through xCal XML (EiAvail) and back', () => {
    const pipeline = new XmlPipeline(schemaSet());
    const [fromIcs] = availabilityFromIcs(ics);
    const xml = pipeline.write({ name: 'eiCreateAvail', body: { requestID: 'r', partyID: 'p', avails: [{ availability: fromIcs! }] } });
    expect(xml).toContain('<xcal:tzid><xcal:text>Europe/Amsterdam</xcal:text></xcal:tzid>');
    const read = pipeline.read(Buffer.from(xml));
    expect(read.name === 'eiCreateAvail' && read.body.avails[0]!.availability).toEqual(fromIcs);
  });

  it('refuses text that is not iCalendar, unknown zones and calendars without availability', () => {
    expect(() => availabilityFromIcs('hello')).toThrow(/not iCalendar/);
    expect(() => availabilityFromIcs(ics.replaceAll('Europe/Amsterdam', 'Mars/Olympus'))).toThrow(/unknown time zone Mars\/Olympus/);
    expect(() => availabilityFromIcs('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n')).toThrow(/no VAVAILABILITY/);
  });
});
