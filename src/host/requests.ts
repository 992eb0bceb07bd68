import { isMicromarketError } from '../errors.js';
import { timePart, type Key } from '../store/collection.js';
import type { Store, WriteOp } from '../store/store.js';
import type { MarketHost, MarketWork } from './markets.js';
import { collections, type RequestRecord } from './records.js';

/** Thrown into a request's engine work when the request turns out to have been answered already. */
class Answered {
  constructor(readonly record: RequestRecord) {}
}

/** A request's answer and the writes that make it so, to commit together. */
export interface Performed {
  readonly record: RequestRecord;
  readonly writes: readonly WriteOp[];
}

/**
 * State-changing requests, each answered once: the first answer to a party's requestID is committed
 * atomically with the request's writes, keyed by party and requestID, and every retry gets it back
 * and changes nothing, whichever instance it reaches.
 */
export class IdempotentRequests {
  readonly #inFlight = new Map<string, Promise<RequestRecord>>();

  constructor(private readonly host: MarketHost) {}

  /** The answer to the party's request: the recorded first one, or `perform`'s, committed with its writes. */
  async answer(partyID: string, requestID: string, now: number, perform: (work: MarketWork) => Promise<Performed>): Promise<RequestRecord> {
    const key = collections.requests.key(partyID, requestID);
    // A copy already running in this instance is awaited. Otherwise this one starts, registered with
    // no await in between, so two copies here can never both start.
    const earlier = this.#inFlight.get(key);
    if (earlier) return earlier;
    const byTime = collections.answersByTime.key(timePart(now), partyID, requestID);
    const running = this.host.withWork((work) => this.#once(key, byTime, work, perform));
    this.#inFlight.set(key, running);
    try {
      return await running;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #once(key: Key, byTime: Key, work: MarketWork, perform: (work: MarketWork) => Promise<Performed>): Promise<RequestRecord> {
    const { store } = this.host;
    // The first answer, if there is one, is read while the operation reads what it needs (one round
    // trip to Redis, not two); engines run only once it is known there is none.
    const stored = collections.requests.get(store, key);
    work.waitFor(stored.then((first) => {
      if (first) throw new Answered(first);
    }));
    try {
      const { record, writes } = await perform(work);
      const first = await stored;
      if (first) return first;
      await work.commit([...writes, collections.requests.put(key, { status: record.status, body: record.body }, true),
        collections.answersByTime.put(byTime, {})]);
      return record;
    } catch (error) {
      if (error instanceof Answered) return error.record;
      // Another instance answered the same request first: its answer is the one (this attempt applied nothing).
      const recorded = isMicromarketError(error) && error.code === 'MM_ERR_STORE_CONFLICT' ? await collections.requests.get(store, key) : undefined;
      if (!recorded) throw error;
      return recorded;
    }
  }
}

/**
 * Forgets the first answers given before the retry window, oldest first and at most `max` of them
 * (bounded work per call; the scheduler calls it after every tick). A retry after that is a new
 * request. Returns how many were forgotten.
 */
export async function forgetOldAnswers(store: Store, now: number, windowMs: number, max = 1000): Promise<number> {
  const due = (await collections.answersByTime.list(store, [], undefined, max))
    .filter(([key]) => Number(collections.answersByTime.parts(key)[0]) < now - windowMs);
  if (due.length === 0) return 0;
  await store.commit(due.flatMap(([key]) => {
    const [, partyID, requestID] = collections.answersByTime.parts(key);
    return [collections.requests.del([partyID, requestID]), collections.answersByTime.del(key)];
  }));
  return due.length;
}
