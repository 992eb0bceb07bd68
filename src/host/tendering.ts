/**
 * What a party's tenders go through in the markets, whichever protocol brought them: admission (all
 * of a request's tenders or none), and withdrawal when the party leaves a market or deregisters.
 */
import { durationToMillis } from '../calendar/duration.js';
import { MicromarketError } from '../errors.js';
import type { TenderInput } from '../market/admission.js';
import type { Market } from '../market/market.js';
import type { Transaction } from '../market/types.js';
import type { WriteOp } from '../store/store.js';
import { inOrder, marketFor, partyAvailability, registeredParty, requireEnrolled } from './lookups.js';
import type { MarketHost, MarketWork } from './markets.js';
import type { Quotas } from './quotas.js';
import { collections, type PartyRecord } from './records.js';

/**
 * Admits a party's tenders, all or none. Each must have its own tenderID and name a market of the
 * service (refusals in tender order); the party must be registered and enrolled in every market
 * named (463, 451, in that order); and each tender must pass its market's admission with the party's
 * availability (MM_ERR_EI_TENDER_REFUSED). Every tender is checked before any is submitted, with no
 * await in between, on engines the work holds. Returns the writes to commit and the transactions a
 * continuous market made at once.
 */
export async function admitTenders(work: MarketWork, host: MarketHost, partyID: string, tenders: readonly TenderInput[], now: number, quotas: Quotas)
  : Promise<{ writes: WriteOp[]; transactions: Array<{ market: Market; transaction: Transaction }> }> {
  const { store } = host;
  const seen = new Set<string>();
  const planned = tenders.map((tender) => {
    if (seen.has(tender.tenderID)) throw new MicromarketError('MM_ERR_EI_DUPLICATE_ID', ['tender', tender.tenderID]);
    seen.add(tender.tenderID);
    return { market: marketFor(host, tender.product.marketContext), tender };
  });
  const markets = [...new Map(planned.map((p) => [p.market.rules.id, p.market])).values()];
  // The lookups go out together (one round trip to Redis); a refusal is the first in this order.
  const [, , availabilities] = await inOrder([registeredParty(store, partyID), Promise.all(markets.map((m) => requireEnrolled(store, m, partyID))),
    Promise.all(markets.map((m) => partyAvailability(store, partyID, m)))] as const);
  const availabilityOf = (market: Market) => availabilities[markets.indexOf(market)]!;
  await work.enter(markets);
  for (const { market, tender } of planned) {
    const refusal = work.engine(market).check(tender, now, availabilityOf(market));
    if (refusal) throw new MicromarketError('MM_ERR_EI_TENDER_REFUSED', [tender.tenderID, refusal.code, refusal.reason]);
  }
  // Within the party's quota of open slices in each market (what its book entries there cost).
  for (const market of markets) {
    const held = work.engine(market).heldSlices(partyID);
    const adding = planned.filter((p) => p.market === market)
      .reduce((n, { tender }) => n + (tender.product.duration ? durationToMillis(tender.product.duration) / market.step : 1), 0);
    if (held + adding > quotas.openSlices) throw new MicromarketError('MM_ERR_QUOTA_SLICES', [market.rules.id, held, adding, quotas.openSlices]);
  }
  // Every tender passed: now they are submitted, and matched where the market is continuous.
  const writes: WriteOp[] = [];
  const transactions: Array<{ market: Market; transaction: Transaction }> = [];
  for (const { market, tender } of planned) {
    const { result, writes: w } = work.run(market, { kind: 'submit', tender, availability: availabilityOf(market), now });
    writes.push(...w);
    if ('transactions' in result) transactions.push(...result.transactions.map((transaction) => ({ market, transaction })));
  }
  return { writes, transactions };
}

/** Withdraws every open tender of a party, in one market or all: what leaving a market or deregistering means. */
export async function withdrawAll(work: MarketWork, host: MarketHost, partyID: string, now: number, markets: readonly Market[] = host.markets): Promise<WriteOp[]> {
  await work.enter(markets);
  const writes: WriteOp[] = [];
  for (const market of markets) {
    for (const { tenderID } of work.engine(market).openTenders(partyID)) writes.push(...work.run(market, { kind: 'cancel', partyID, tenderID, now }).writes);
  }
  return writes;
}

/** Ends a party's registration: its open tenders in every market withdrawn, its record marked cancelled. */
export async function cancelRegistration(work: MarketWork, host: MarketHost, party: PartyRecord, now: number): Promise<WriteOp[]> {
  return [...await withdrawAll(work, host, party.partyID, now), collections.parties.put([party.partyID], { ...party, cancelled: true })];
}
