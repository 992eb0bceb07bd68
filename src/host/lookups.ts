import type { Availability } from '../calendar/availability.js';
import { MicromarketError } from '../errors.js';
import type { Market } from '../market/market.js';
import type { Store } from '../store/store.js';
import type { MarketHost } from './markets.js';
import { collections, type PartyRecord } from './records.js';

/**
 * Awaits lookups started together and returns their values; if any failed, throws the failure of
 * the first in the list (not the first to arrive), so the refusal a request gets does not depend on timing.
 */
export async function inOrder<T extends readonly unknown[]>(lookups: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(lookups);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The party's registration, or a refusal (463) if it has none or cancelled it. */
export async function registeredParty(store: Store, partyID: string): Promise<PartyRecord> {
  const party = await collections.parties.get(store, [partyID]);
  if (!party || party.cancelled) throw new MicromarketError('MM_ERR_EI_UNKNOWN_PARTY', [partyID]);
  return party;
}

/** The market a context URI names, or a refusal (454). */
export function marketFor(host: MarketHost, marketContext: string): Market {
  const market = host.byContext(marketContext);
  if (!market) throw new MicromarketError('MM_ERR_EI_UNKNOWN_MARKET', [marketContext]);
  return market;
}

/** The markets a request names (every market when it names none); refuses (454) an unknown one. */
export function marketsNamed(host: MarketHost, marketContexts: readonly string[]): Market[] {
  return marketContexts.length === 0 ? host.markets : marketContexts.map((c) => marketFor(host, c));
}

/** One enrollment per party and market, so its ID names their pair (the store keys it by both). */
export const enrollmentID = (market: Market, partyID: string) => `${market.rules.id}:${partyID}`;

/**
 * The registered parties with an approved enrollment in the market: whom its clearings concern.
 * Their records are read together (one round trip to Redis).
 */
export async function enrolledParties(store: Store, market: Market): Promise<PartyRecord[]> {
  const approved = (await collections.enrollments.values(store, [market.rules.id]))
    .filter((e) => e.status === 'approvedEnrollment');
  const parties = await Promise.all(approved.map((e) => collections.parties.get(store, [e.partyID])));
  return parties.filter((p): p is PartyRecord => p !== undefined && !p.cancelled);
}

/** Refuses (451) a party without an approved enrollment in the market. */
export async function requireEnrolled(store: Store, market: Market, partyID: string): Promise<void> {
  const enrollment = await collections.enrollments.get(store, [market.rules.id, partyID]);
  if (enrollment?.status !== 'approvedEnrollment') throw new MicromarketError('MM_ERR_EI_NOT_ENROLLED', [partyID, market.rules.marketContext]);
}

/** The availability a party declared for a market (or for every market); resource-specific windows constrain dispatch, not tenders. */
export async function partyAvailability(store: Store, partyID: string, market: Market): Promise<Availability[]> {
  return (await collections.avails.values(store, [partyID]))
    .filter((a) => a.resourceID === undefined && (a.marketContext === undefined || a.marketContext === market.rules.marketContext))
    .map((a) => a.availability);
}
