/**
 * EiTransaction: binding trades (there is no cancel).
 *
 *   party ──eiRequestTransaction─▶ service   its own transactions, from markets and peer-to-peer
 *   party ──eiCreateTransaction──▶ service   accepts a distributed offer of the counterparty, wholly or
 *                                            partly (wholly if the offer is integralOnly)
 */
import { durationToMillis } from '../../calendar/duration.js';
import { MicromarketError } from '../../errors.js';
import type { Transaction } from '../../market/types.js';
import type { Store, WriteOp } from '../../store/store.js';
import { marketFor, registeredParty, requireEnrolled } from '../../host/lookups.js';
import { transactionWrites, type MarketHost } from '../../host/markets.js';
import type { EiService } from '../operation.js';
import { collections } from '../../host/records.js';
import { transactionFor } from '../wire.js';
import type { OfferRecord } from './ei-tender.js';
import { eiCollections } from '../records.js';
import { ok } from '../../xml/payloads/index.js';

/** The market-assigned form, `<marketID>-<n>`: a party may not choose it, so the two never meet. */
const MARKET_FORM = /^(.+)-\d+$/;

/**
 * A transaction ID the accepting party chose names a new record of both parties: refused if either
 * already holds a transaction of that ID with anyone (or this request names it twice), or if it has
 * the form of a hosted market's own IDs.
 */
async function requireFreshPeerID(store: Store, host: MarketHost, id: string, parties: readonly string[], earlier: readonly string[]): Promise<void> {
  const market = MARKET_FORM.exec(id)?.[1];
  if (market !== undefined && host.byId(market)) {
    throw new MicromarketError('MM_ERR_EI_INVALID', [`transactionID ${id} has the form of market ${market}'s own IDs (${market}-<n>); choose another`]);
  }
  const held = await Promise.all(parties.map((p) => collections.partyTransactions.get(store, [p, 'peer', id])));
  if (earlier.includes(id) || held.some((t) => t !== undefined)) throw new MicromarketError('MM_ERR_EI_DUPLICATE_ID', ['transaction', id]);
}

export const eiTransaction: EiService = {
  name: 'EiTransaction',
  operations: {
    eiRequestTransaction: {
      scope: 'tender',
      mutates: false,
      party: (body) => body.requestorPartyID,
      async handle({ body }, { store, host }) {
        const spans = (body.intervals ?? []).filter((i) => i.dtstart !== undefined)
          .map((i) => [i.dtstart!, i.dtstart! + (i.duration ? durationToMillis(i.duration) : 0)] as const);
        const transactions = (await collections.partyTransactions.values(store, [body.requestorPartyID]))
          .filter((t) => {
            const market = host.byId(t.marketID);
            return market !== undefined
              && (body.transactionIDs.length === 0 || body.transactionIDs.includes(t.transactionID))
              && (body.marketContexts.length === 0 || body.marketContexts.includes(market.rules.marketContext))
              && (spans.length === 0 || spans.some(([from, to]) => t.interval >= from && t.interval < to));
          });
        return { payload: { name: 'eiReplyTransaction', body: { eiResponse: ok(body.requestID),
          transactions: transactions.map((t) => transactionFor(body.requestorPartyID, t, host.byId(t.marketID)!)) } } };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiReplyTransaction', body: { eiResponse, transactions: [] } }),
    },
    eiCreateTransaction: {
      scope: 'tender',
      mutates: true,
      party: (body) => body.partyID,
      async handle({ body, now }, { store, host }) {
        await registeredParty(store, body.partyID);
        const writes: WriteOp[] = [];
        const ids: string[] = [];
        const taken = new Map<string, OfferRecord>();
        for (const x of body.transactions) {
          if (x.tenderID === undefined) throw new MicromarketError('MM_ERR_EI_INVALID', [`transaction ${x.transactionID} must name the offer (tenderID) it accepts`]);
          const key = eiCollections.offers.key(body.counterPartyID, x.tenderID);
          const offer = taken.get(key) ?? await eiCollections.offers.get(store, key);
          if (!offer || offer.remaining <= 0) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['open offer', `${x.tenderID} of ${body.counterPartyID}`]);
          const market = marketFor(host, offer.tender.product.marketContext);
          await requireEnrolled(store, market, body.partyID);
          if (x.product.side === offer.tender.product.side) throw new MicromarketError('MM_ERR_EI_INVALID', [`offer ${x.tenderID} is a ${offer.tender.product.side}; accept it with the other side`]);
          const quantity = x.product.payload?.value.quantity ?? offer.remaining;
          if (!(quantity > 0) || quantity > offer.remaining + 1e-9) throw new MicromarketError('MM_ERR_EI_INVALID', [`offer ${x.tenderID} has ${offer.remaining} left, not ${quantity}`]);
          if (offer.tender.product.integralOnly && Math.abs(quantity - offer.remaining) > 1e-9) {
            throw new MicromarketError('MM_ERR_EI_INVALID', [`offer ${x.tenderID} is integralOnly: accept all ${offer.remaining}`]);
          }
          await requireFreshPeerID(store, host, x.transactionID, [body.partyID, body.counterPartyID], ids);
          const selling = offer.tender.product.side === 'sell';
          const t: Transaction = {
            transactionID: x.transactionID, marketID: market.rules.id, interval: offer.tender.product.dtstart ?? now,
            buyer: selling ? body.partyID : body.counterPartyID, seller: selling ? body.counterPartyID : body.partyID,
            ...(selling ? { sellTenderID: x.tenderID } : { buyTenderID: x.tenderID }),
            price: offer.tender.product.payload?.value.price?.value ?? 0, quantity, at: now,
          };
          const updated = { ...offer, remaining: offer.remaining - quantity };
          taken.set(key, updated);
          writes.push(eiCollections.offers.put(key, updated), ...transactionWrites(t, 'peer'));
          ids.push(x.transactionID);
        }
        return {
          payload: { name: 'eiCreatedTransaction', body: { counterPartyID: body.counterPartyID, partyID: body.partyID, eiResponse: ok(body.requestID), transactionIDs: ids } },
          writes,
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCreatedTransaction', body: { counterPartyID: body.counterPartyID, partyID: body.partyID, eiResponse, transactionIDs: [] } }),
    },
  },
};
