import { describe, expect, it } from 'vitest';
import { durationToMillis, formatDuration, MAX_LENGTH_MS, parseDuration, parseLength } from '../../src/calendar/duration.js';

describe('ISO 8601 durations', () => {
  it.each([
    ['PT15M', 15 * 60_000],
    ['PT1H', 3_600_000],
    ['P1DT2H', 26 * 3_600_000],
    ['P2W', 14 * 86_400_000],
    ['PT0.5S', 500],
    ['-PT30M', -30 * 60_000],
    ['PT90M', 90 * 60_000],
  ])('%s lasts %d ms and is written back as read', (text, ms) => {
    const d = parseDuration(text);
    expect(durationToMillis(d)).toBe(ms);
    expect(formatDuration(d)).toBe(text);
  });

  it.each(['P', 'PT', 'P1DT', 'P1W2D', 'PT1W', '1H', 'P1.5H', 'PT-1H', ''])('rejects %j instead of reading it as zero', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });

  it('keeps calendar months apart from fixed lengths', () => {
    const month = parseDuration('P1M');
    expect(month).toMatchObject({ months: 1, minutes: 0 });
    expect(() => durationToMillis(month)).toThrow(/no fixed length/);
    expect(parseDuration('PT1M')).toMatchObject({ months: 0, minutes: 1 });
  });

  it('writes a zero duration as PT0S', () => {
    expect(formatDuration(parseDuration('P0D'))).toBe('PT0S');
  });

  it.each([
    ['P1M', 'no fixed length'], ['P1Y', 'no fixed length'], ['P99999999Y', 'no fixed length'], ['P1Y2D', 'no fixed length'],
    ['-PT1M', 'negative'], ['P3653D', 'longer than the limit of ten years'], ['P99999999D', 'longer than the limit'],
    ['PT99999999999999999999S', 'longer than the limit'],
  ])('refuses %s as a length of time (%s)', (text, reason) => {
    expect(() => parseLength(text)).toThrow(reason);
  });

  it('takes every fixed length up to ten years (365.25 days each) as a length of time', () => {
    expect(MAX_LENGTH_MS).toBe(3652.5 * 86_400_000);
    expect(durationToMillis(parseLength('P3652DT12H'))).toBe(MAX_LENGTH_MS);
    for (const text of ['PT0S', 'PT15M', 'P1D', 'P2W', 'PT0.5S']) expect(formatDuration(parseLength(text))).toBe(text);
  });
});

