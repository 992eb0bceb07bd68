import type { Duration } from './duration.js';
import type { Instant } from './instant.js';

/** RFC 7953 busy types: how the time a VAVAILABILITY covers is booked outside its AVAILABLE windows. */
export type BusyType = 'BUSY' | 'BUSY-UNAVAILABLE' | 'BUSY-TENTATIVE';
export type Frequency = 'SECONDLY' | 'MINUTELY' | 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** An RFC 5545 recurrence rule (RFC 6321 `recur`), parts in their xCal order. */
export interface Recurrence {
  freq: Frequency;
  until?: Instant;
  count?: number;
  interval?: number;
  bysecond: number[];
  byminute: number[];
  byhour: number[];
  byday: string[];
  bymonthday: number[];
  byyearday: number[];
  byweekno: number[];
  bymonth: number[];
  bysetpos: number[];
  wkst?: string;
}

/** The properties a calendar component may carry; each is optional and they come in any order. */
export interface CalendarProperties {
  dtstart?: Instant;
  dtend?: Instant;
  duration?: Duration;
  uid?: string;
  summary?: string;
  busytype?: BusyType;
  rrule?: Recurrence;
  tzid?: string;
  /** WS-Calendar tolerance: how far after dtstart a start may fall (OpenADR randomises event starts with it). */
  startafter?: Duration;
  /** An OpenADR event's notification, ramp-up and recovery periods (ei:x-eiNotification, x-eiRampUp, x-eiRecovery). */
  notification?: Duration;
  rampUp?: Duration;
  recovery?: Duration;
}

/** An AVAILABLE window inside a VAVAILABILITY. */
export interface Available {
  properties: CalendarProperties;
}

/** A VAVAILABILITY: busy over its range except in its AVAILABLE windows (RFC 7953). */
export interface Availability {
  properties?: CalendarProperties;
  available: Available[];
}
