import { MicromarketError } from '../errors.js';

/**
 * What one party may hold and ask, so no party's volume slows the others (docs/security.md#quotas).
 * Set in the service's options (`micromarket serve --quota-...`); on Redis the request count is kept
 * in the namespace, so it binds all instances together, not each.
 */
export interface Quotas {
  /** Requests a party may make in one second of real time. @default 200 */
  readonly requestsPerSecond: number;
  /** (tender, interval) slices a party may hold open in one market. @default 10000 */
  readonly openSlices: number;
  /**
   * Records of each kind a party may keep: availability windows, distributed offers, opts. A device or
   * building declares a few; each is read on every tender of the party, and listed whole. @default 100
   */
  readonly records: number;
}

export const defaultQuotas: Quotas = { requestsPerSecond: 200, openSlices: 10_000, records: 100 };

/** Refuses (MM_ERR_QUOTA_RECORDS) records that would take a party past its quota of that kind. */
export function requireRoom(quotas: Quotas, kind: string, held: number, adding: number): void {
  if (held + adding > quotas.records) throw new MicromarketError('MM_ERR_QUOTA_RECORDS', [kind, held, quotas.records]);
}
