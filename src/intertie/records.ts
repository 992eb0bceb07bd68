/** What a child market keeps about its intertie, in the store. */

/** The key of an interval's record in `interties`, and the interval a key is for. */
export const recordKey = (market: string, interval: number): string => `${market}/${interval}`;
export const intervalOfKey = (key: string): number => Number(key.slice(key.indexOf('/') + 1));

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

export type IntertieState = 'joining' | 'linked' | 'islanded';

/** An intertie's health, under `intertie-status/<child>`: written when it changes, so it is also its history's last event. */
export interface IntertieStatus {
  market: string;
  parent: string;
  state: IntertieState;
  since: number;
  reason?: string;
}

/** An intertie's status with what it carried since the service started, for /metrics. */
export interface IntertieReading extends IntertieStatus {
  /** The last flow placed (child units per interval; negative: exported) and the parent price behind it. */
  flow?: number;
  parentPrice?: number;
  /** Intervals that cleared islanded. */
  islandedIntervals: number;
}
