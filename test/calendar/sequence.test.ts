import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/calendar/duration.js';
import { resolveSequence, SequenceError, streamAsSequence } from '../../src/calendar/sequence.js';

const d = parseDuration;
const t0 = Date.UTC(2026, 10, 23, 17);
const min = 60_000;

describe('WS-Calendar sequences and gluons', () => {
  it('places each temporal relation from its predecessor, with gaps', () => {
    const placed = resolveSequence<{ price: number }>([
      { uid: 'a', dtstart: t0, duration: d('PT30M') },
      { uid: 'b', duration: d('PT15M'), relatedTo: { uid: 'a', reltype: 'FINISHTOSTART', gap: d('PT5M') } },
      { uid: 'c', duration: d('PT10M'), relatedTo: { uid: 'a', reltype: 'STARTTOSTART' } },
      { uid: 'd', duration: d('PT10M'), relatedTo: { uid: 'b', reltype: 'FINISHTOFINISH' } },
      { uid: 'e', duration: d('PT10M'), relatedTo: { uid: 'a', reltype: 'STARTTOFINISH' } },
    ]);
    expect(placed.map((p) => [p.uid, (p.start - t0) / min, (p.end - t0) / min])).toEqual([
      ['a', 0, 30], ['b', 35, 50], ['c', 0, 10], ['d', 40, 50], ['e', -10, 0],
    ]);
  });

  it('lets intervals inherit the gluon start and payload fields they do not set', () => {
    const placed = resolveSequence<{ price: number; quantity: number }>(
      [{ uid: '0', duration: d('PT15M'), payload: { price: 0.11 } }, { uid: '1', duration: d('PT15M'), relatedTo: { uid: '0', reltype: 'FINISHTOSTART' } }],
      { dtstart: t0, payload: { price: 0.12, quantity: 5 } },
    );
    expect(placed.map((p) => p.payload)).toEqual([{ price: 0.11, quantity: 5 }, { price: 0.12, quantity: 5 }]);
    expect(placed[1]!.start).toBe(t0 + 15 * min);
  });

  it('runs an EI stream back to back from its start', () => {
    const placed = streamAsSequence(t0, [{ duration: d('PT15M') }, { duration: d('PT30M') }, { duration: d('PT15M') }]);
    expect(placed.map((p) => (p.start - t0) / min)).toEqual([0, 15, 45]);
  });

  it('refuses cycles, unknown predecessors and unanchored intervals', () => {
    expect(() => resolveSequence([
      { uid: 'a', duration: d('PT1H'), relatedTo: { uid: 'b', reltype: 'FINISHTOSTART' } },
      { uid: 'b', duration: d('PT1H'), relatedTo: { uid: 'a', reltype: 'FINISHTOSTART' } },
    ])).toThrow(/cycle/);
    expect(() => resolveSequence([{ uid: 'a', duration: d('PT1H'), relatedTo: { uid: 'x', reltype: 'FINISHTOSTART' } }])).toThrow(/unknown interval x/);
    expect(() => resolveSequence([{ uid: 'a', duration: d('PT1H') }])).toThrow(SequenceError);
  });
});
