import { durationToMillis, type Duration } from './duration.js';
import type { Instant } from './instant.js';

/** WS-Calendar temporal relations (RFC 9253 RELTYPE), seen from the interval that carries them. */
export type RelationType = 'FINISHTOSTART' | 'FINISHTOFINISH' | 'STARTTOSTART' | 'STARTTOFINISH';

/** A link from an interval to its predecessor: e.g. FINISHTOSTART = "I start when it finishes, plus gap". */
export interface Relation {
  readonly uid: string;
  readonly reltype: RelationType;
  readonly gap?: Duration;
}

/** A WS-Calendar interval: a duration, an optional anchor, an optional link, and its own payload fields. */
export interface LinkedInterval<P> {
  readonly uid: string;
  readonly duration: Duration;
  readonly dtstart?: Instant;
  readonly relatedTo?: Relation;
  readonly payload?: Partial<P>;
}

/** A gluon: values every linked interval inherits unless it sets its own (start of the chain, payload). */
export interface Gluon<P> {
  readonly dtstart?: Instant;
  readonly payload?: Partial<P>;
}

export interface ResolvedInterval<P> {
  readonly uid: string;
  readonly start: Instant;
  readonly end: Instant;
  readonly payload: Partial<P>;
}

export class SequenceError extends Error {}

/**
 * Places every interval of a sequence on the time line. An interval with its own dtstart is
 * anchored; one with a relation is placed from its predecessor; an interval with neither takes
 * the gluon's dtstart. Payload fields an interval omits come from the gluon.
 */
export function resolveSequence<P>(intervals: readonly LinkedInterval<P>[], gluon: Gluon<P> = {}): ResolvedInterval<P>[] {
  const byUid = new Map(intervals.map((i) => [i.uid, i]));
  if (byUid.size !== intervals.length) throw new SequenceError('interval uids must be unique');
  const placed = new Map<string, { start: Instant; end: Instant }>();
  const visiting = new Set<string>();

  const place = (interval: LinkedInterval<P>): { start: Instant; end: Instant } => {
    const done = placed.get(interval.uid);
    if (done) return done;
    if (visiting.has(interval.uid)) throw new SequenceError(`interval ${interval.uid} is part of a cycle`);
    visiting.add(interval.uid);
    const length = durationToMillis(interval.duration);
    let start: Instant;
    if (interval.dtstart !== undefined) start = interval.dtstart;
    else if (interval.relatedTo) {
      const predecessor = byUid.get(interval.relatedTo.uid);
      if (!predecessor) throw new SequenceError(`interval ${interval.uid} follows unknown interval ${interval.relatedTo.uid}`);
      const p = place(predecessor);
      const gap = interval.relatedTo.gap ? durationToMillis(interval.relatedTo.gap) : 0;
      switch (interval.relatedTo.reltype) {
        case 'FINISHTOSTART': start = p.end + gap; break;
        case 'STARTTOSTART': start = p.start + gap; break;
        case 'FINISHTOFINISH': start = p.end + gap - length; break;
        case 'STARTTOFINISH': start = p.start + gap - length; break;
      }
    } else if (gluon.dtstart !== undefined) start = gluon.dtstart;
    else throw new SequenceError(`interval ${interval.uid} has no start: no dtstart, relation or gluon start`);
    visiting.delete(interval.uid);
    const result = { start, end: start + length };
    placed.set(interval.uid, result);
    return result;
  };

  return intervals.map((interval) => {
    const { start, end } = place(interval);
    return { uid: interval.uid, start, end, payload: { ...gluon.payload, ...interval.payload } };
  });
}

/** An EI stream: intervals back to back from the stream's start (each FINISHTOSTART its predecessor). */
export function streamAsSequence<P>(start: Instant, items: ReadonlyArray<{ duration: Duration; payload?: Partial<P> }>,
  gluonPayload?: Partial<P>): ResolvedInterval<P>[] {
  const linked = items.map((item, k): LinkedInterval<P> => ({
    uid: String(k),
    duration: item.duration,
    ...(k === 0 ? {} : { relatedTo: { uid: String(k - 1), reltype: 'FINISHTOSTART' } }),
    ...(item.payload ? { payload: item.payload } : {}),
  }));
  return resolveSequence(linked, { dtstart: start, ...(gluonPayload ? { payload: gluonPayload } : {}) });
}
