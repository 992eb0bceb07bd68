/**
 * An instant on the UTC time line, in milliseconds since the Unix epoch. The engine does
 * arithmetic on plain numbers; XML and iCalendar text are converted at the edges.
 */
export type Instant = number;

const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an xCal date-time. A value without a zone is read as UTC: micromarket keeps all
 * schedules in UTC (OpenADR 2.0b requires it), and a local reading would depend on the host.
 */
export function parseInstant(text: string): Instant {
  const m = DATE_TIME.exec(text);
  if (!m) throw new RangeError(`not an xCal date-time: ${text}`);
  // Milliseconds are the resolution kept; further fraction digits are dropped.
  const fraction = m[7] ? m[7].slice(0, 4).padEnd(4, '0') : '.000';
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}${m[8] ?? 'Z'}`);
  if (Number.isNaN(ms)) throw new RangeError(`not a valid date-time: ${text}`);
  return ms;
}

/** Formats an instant as UTC with `Z`, with milliseconds only when they are not zero. */
export function formatInstant(instant: Instant): string {
  const iso = new Date(instant).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
