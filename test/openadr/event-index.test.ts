import { describe, expect, it } from 'vitest';
import { indexWith, liveEventIDs } from '../../src/openadr/event-index.js';
import type { EventRecord } from '../../src/openadr/event-model.js';
import { scratchStore } from '../support/scratch-store.js';

const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
const event = (marketID: string, dtstart: number, durationMs: number): EventRecord => ({
  eventID: `${marketID}.${dtstart}`, modificationNumber: 0, venID: 'ven-a', marketID, marketContext: `urn:micromarket:${marketID}`,
  dtstart, durationMs, createdDateTime: at(12, 0), price: 0.1, level: 0, dispatch: 1, cancelled: false,
});

const scratch = scratchStore('event-index', true);

describe("a VEN's live events", () => {
  it('keep both markets\' events when their gates close at once (each read the index before either committed)', async () => {
    // On Redis two instances close two markets' gates in parallel, each under its own market's lease.
    const [feeder, home] = await Promise.all([indexWith(scratch(), 'ven-a', 'feeder-7', [event('feeder-7', at(12, 30), 300_000)], at(12, 29)),
      indexWith(scratch(), 'ven-a', 'home-12', [event('home-12', at(12, 30), 900_000)], at(12, 29))]);
    await scratch().commit([feeder]);
    await scratch().commit([home]);
    expect((await liveEventIDs(scratch(), 'ven-a', at(12, 29))).sort()).toEqual([`feeder-7.${at(12, 30)}`, `home-12.${at(12, 30)}`]);
  });

  it('drop an event once it has ended, and only that market\'s index is rewritten', async () => {
    await scratch().commit([await indexWith(scratch(), 'ven-a', 'feeder-7', [event('feeder-7', at(12, 30), 300_000)], at(12, 29))]);
    await scratch().commit([await indexWith(scratch(), 'ven-a', 'home-12', [event('home-12', at(12, 30), 900_000)], at(12, 29))]);
    // At 12:35 the 5-minute feeder event is over; the 15-minute home event runs to 12:45.
    expect(await liveEventIDs(scratch(), 'ven-a', at(12, 35))).toEqual([`home-12.${at(12, 30)}`]);
    await scratch().commit([await indexWith(scratch(), 'ven-a', 'feeder-7', [event('feeder-7', at(12, 40), 300_000)], at(12, 39))]);
    expect(await scratch().get('event-index', 'ven-a/feeder-7')).toEqual({ events: [{ eventID: `feeder-7.${at(12, 40)}`, end: at(12, 45) }] });
    expect((await liveEventIDs(scratch(), 'ven-a', at(12, 39))).sort()).toEqual([`feeder-7.${at(12, 40)}`, `home-12.${at(12, 30)}`]);
    expect(await liveEventIDs(scratch(), 'ven-b', at(12, 39))).toEqual([]);
  });
});
