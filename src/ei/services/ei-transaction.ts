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
import type { WriteOp } from '../../store/store.js';
import { marketFor, registeredParty, requireEnrolled } from '../../host/lookups.js';
import { transactionWrites } from '../../host/markets.js';
import type { EiService } from '../operation.js';
import { collections } from '../../host/records.js';
import { transactionFor } from '../wire.js';
import type { OfferRecord } from './ei-tender.js';
import { eiCollections } from '../records.js';
import { ok } from '../../xml/payloads/index.js';

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
          if (await collections.partyTransactions.get(store, [body.partyID, x.transactionID])) throw new MicromarketError('MM_ERR_EI_DUPLICATE_ID', ['transaction', x.transactionID]);
          const selling = offer.tender.product.side === 'sell';
          const t: Transaction = {
            transactionID: x.transactionID, marketID: market.rules.id, interval: offer.tender.product.dtstart ?? now,
            buyer: selling ? body.partyID : body.counterPartyID, seller: selling ? body.counterPartyID : body.partyID,
            ...(selling ? { sellTenderID: x.tenderID } : { buyTenderID: x.tenderID }),
            price: offer.tender.product.payload?.value.price?.value ?? 0, quantity, at: now,
          };
          const updated = { ...offer, remaining: offer.remaining - quantity };
          taken.set(key, updated);
          writes.push(eiCollections.offers.put(key, updated), ...transactionWrites(t));
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
