import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/calendar/duration.js';
import type { MicromarketClient } from '../../src/client/index.js';
import { collections } from '../../src/host/records.js';
import { forgetOldAnswers } from '../../src/host/requests.js';
import { timePart } from '../../src/store/collection.js';
import { scratchStore } from '../support/scratch-store.js';
import { testService, type TestService } from '../support/service.js';

/**
 * First answers are kept for the retry window (24 hours of service time by default), then forgotten
 * by the scheduler a bounded number at a time: a retry within the window gets the first answer back,
 * one after it is a new request (issue 22: memory depends on what is live, not on history).
 */
const DAY = 86_400_000;
let ts: TestService;
let party: MicromarketClient;

beforeAll(async () => {
  ts = await testService();
  party = await ts.party('retrier');
});
afterAll(() => ts.close());

const declare = (availID: string) => party.call('EiAvail', 'eiCreatedAvail', { name: 'eiCreateAvail', body: { requestID: 'same', partyID: 'retrier',
  avails: [{ availID, availability: { available: [{ properties: { dtstart: ts.clock.now, duration: parseDuration('PT1H') } }] } }] } });

describe('the retry window', () => {
  it('replays the first answer within it, and takes a retry after it as a new request', async () => {
    const start = ts.clock.now;
    expect((await declare('w1')).availIDs).toEqual(['w1']);
    ts.clock.now = start + DAY - 1;
    await ts.service.scheduler.tick();
    // Within the window: the first answer, and nothing of the retry's own content applied.
    expect((await declare('w2')).availIDs).toEqual(['w1']);
    expect((await party.availability()).avails.map((a) => a.availID)).toEqual(['w1']);
    ts.clock.now = start + DAY + 1;
    await ts.service.scheduler.tick();
    expect(await collections.requests.get(ts.service.context.store, ['retrier', 'same'])).toBeUndefined();
    expect((await declare('w2')).availIDs).toEqual(['w2']);
    expect((await party.availability()).avails.map((a) => a.availID)).toEqual(['w1', 'w2']);
  });
});

describe('forgetting old answers', () => {
  const scratch = scratchStore('answers');

  it('forgets the oldest first, at most `max` per call, and nothing inside the window', async () => {
    const store = scratch();
    await store.commit([1000, 2000, 3000, 9000].flatMap((at, i) => [collections.requests.put(['p', `r${i}`], { status: 200, body: '' }),
      collections.answersByTime.put([timePart(at), 'p', `r${i}`], {})]));
    expect(await forgetOldAnswers(store, 10_000, 5000, 2)).toBe(2);
    expect((await collections.requests.list(store, ['p'])).map(([k]) => collections.requests.parts(k)[1])).toEqual(['r2', 'r3']);
    expect(await forgetOldAnswers(store, 10_000, 5000, 2)).toBe(1);
    expect(await forgetOldAnswers(store, 10_000, 5000, 2)).toBe(0);
    expect((await collections.answersByTime.list(store)).map(([k]) => collections.answersByTime.parts(k))).toEqual([['000000000009000', 'p', 'r3']]);
  });
});
