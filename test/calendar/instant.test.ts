import { describe, expect, it } from 'vitest';
import { formatInstant, parseInstant } from '../../src/calendar/instant.js';

describe('xCal date-times', () => {
  it('reads UTC, offsets and zone-less values on the UTC time line', () => {
    expect(parseInstant('2026-11-23T17:00:00Z')).toBe(Date.UTC(2026, 10, 23, 17));
    expect(parseInstant('2026-11-23T18:00:00+01:00')).toBe(Date.UTC(2026, 10, 23, 17));
    expect(parseInstant('2026-11-23T17:00:00')).toBe(Date.UTC(2026, 10, 23, 17));
  });

  it('keeps milliseconds and drops finer fractions', () => {
    expect(parseInstant('2026-11-23T17:00:00.123456Z')).toBe(Date.UTC(2026, 10, 23, 17, 0, 0, 123));
  });

  it('writes UTC with Z, with milliseconds only when present', () => {
    expect(formatInstant(Date.UTC(2026, 10, 23, 17))).toBe('2026-11-23T17:00:00Z');
    expect(formatInstant(Date.UTC(2026, 10, 23, 17, 0, 0, 250))).toBe('2026-11-23T17:00:00.250Z');
  });

  it.each(['2026-11-23', '2026-11-23 17:00:00Z', 'tomorrow', '2026-13-01T00:00:00Z'])('rejects %j', (text) => {
    expect(() => parseInstant(text)).toThrow(RangeError);
  });
});
