/** What a child market keeps about its intertie, in the store. */
import { Collection, type Key } from '../store/collection.js';
import type { IntertieStatus } from '../host/views.js';

/** The interval a key of `interties` is for. */
export const intervalOfKey = (key: Key): number => Number(intertieCollections.interties.parts(key)[1]);

/** One interval of an intertie, under `interties/<child>/<interval>`. */
export interface IntertieRecord {
  /** Revision of the ladder last acknowledged by the parent; each change of the child's bid makes a new one. */
  rev: number;
  /** Fingerprint of that ladder. */
  sent: string;
  /** Its step tenders: none once the child's bids were all withdrawn (the parent then has nothing of it to clear). */
  tenders: number;
  /** The parent's clearing and the flow placed in the child for it (committed with the child's log entry). */
  outcome?: { parentPrice: number; parentNet: number; flow: number };
  /** The child's gate closed before the parent's outcome could be fetched: the interval cleared islanded. */
  islanded?: boolean;
  /** What the parent cleared anyway for an interval the child cleared islanded: a trade the child did not take. */
  deviation?: { parentPrice: number; parentNet: number };
}

export const intertieCollections = {
  /** childMarketID/interval → IntertieRecord: what the child bid in its parent and what came back */
  interties: new Collection<IntertieRecord, [marketID: string, interval: number]>('interties'),
  /** childMarketID → IntertieStatus: whether the intertie is linked or islanded, since when and why */
  intertieStatus: new Collection<IntertieStatus>('intertie-status'),
} as const;
