import type { Availability, Available, CalendarProperties, Recurrence } from '../../calendar/availability.js';
import { formatDuration, parseLength } from '../../calendar/duration.js';
import { formatInstant, parseInstant } from '../../calendar/instant.js';
import { isKnownZone } from '../../calendar/zone.js';
import { element, enumeration, integer, list, many, one, opt, scalar, sequence, single, text, unordered, type ElementCodec } from '../codec.js';
import { NS } from '../namespaces.js';

/** xCal values and properties: each property wraps a typed value element (RFC 6321). */
export const instant = scalar(parseInstant, formatInstant);
/** Every duration on the wire is a length of time: fixed, not negative, bounded (docs/xml.md#durations). */
export const duration = scalar(parseLength, formatDuration);

const x = (name: string) => <T>(content: Parameters<typeof element<T>>[2]) => element(NS.xcal, name, content);
export const dateTimeValue = x('date-time')(instant);
export const durationValue = x('duration')(duration);
export const textValue = x('text')(text);

export const dtstart = x('dtstart')(single(dateTimeValue));
export const dtend = x('dtend')(single(dateTimeValue));
export const durationProp = x('duration')(single(durationValue));
export const uid = x('uid')(single(textValue));
/** A time zone by its IANA name: one the runtime does not know is refused where it is read, never used. */
export const tzid = x('tzid')(single(x('text')(scalar((name) => {
  if (!isKnownZone(name)) throw new RangeError(`unknown time zone ${name}`);
  return name;
}, (name: string) => name))));
export const granularity = x('granularity')(single(durationValue));
const summary = x('summary')(single(textValue));
const busytype = x('busytype')(single(x('text')(enumeration(['BUSY', 'BUSY-UNAVAILABLE', 'BUSY-TENTATIVE']))));

const numbers = (name: string) => many(x(name)(integer));
const recur: ElementCodec<Recurrence> = x('recur')(sequence({
  freq: one(x('freq')(enumeration(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']))),
  until: opt(x('until')(instant)),
  count: opt(x('count')(integer)),
  interval: opt(x('interval')(integer)),
  bysecond: numbers('bysecond'),
  byminute: numbers('byminute'),
  byhour: numbers('byhour'),
  byday: many(x('byday')(text)),
  bymonthday: numbers('bymonthday'),
  byyearday: numbers('byyearday'),
  byweekno: numbers('byweekno'),
  bymonth: numbers('bymonth'),
  bysetpos: numbers('bysetpos'),
  wkst: opt(x('wkst')(text)),
}));

export const properties: ElementCodec<CalendarProperties> = x('properties')(unordered({
  dtstart: opt(dtstart),
  dtend: opt(dtend),
  duration: opt(durationProp),
  uid: opt(uid),
  summary: opt(summary),
  busytype: opt(busytype),
  rrule: opt(x('rrule')(single(recur))),
  tzid: opt(tzid),
  startafter: opt(x('tolerance')(single(x('tolerate')(single(x('startafter')(duration)))))),
  notification: opt(element(NS.ei, 'x-eiNotification', single(durationValue))),
  rampUp: opt(element(NS.ei, 'x-eiRampUp', single(durationValue))),
  recovery: opt(element(NS.ei, 'x-eiRecovery', single(durationValue))),
}));

const available: ElementCodec<Available> = x('available')(sequence({ properties: one(properties) }));

export const vavailability: ElementCodec<Availability> = x('vavailability')(sequence({
  properties: opt(properties),
  available: one(x('components')(list(available))),
}));
