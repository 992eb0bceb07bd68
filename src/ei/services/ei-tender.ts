/**
 * EiTender: offers to buy or sell.
 *
 *   party ──eiCreateTender─────▶ service   all tenders admitted or none; a continuous market
 *                              ◀──────────  matches at once and answers with the transactions made
 *   party ──eiCancelTender─────▶ service   withdraws what is left of its tenders (all named, or none)
 *   party ──eiRequestTender────▶ service   its own open tenders, or another party's distributed offers
 *   party ──eiDistributeTender─▶ service   publishes peer-to-peer offers others accept with eiCreateTransaction
 */
import { durationOfMillis } from '../../calendar/duration.js';
import { MicromarketError } from '../../errors.js';
import type { WriteOp } from '../../store/store.js';
import { ok, type PayloadBody } from '../../xml/payloads/index.js';
import { marketFor, registeredParty, requireEnrolled } from '../../host/lookups.js';
import { requireRoom } from '../../host/quotas.js';
import { admitTenders } from '../../host/tendering.js';
import type { EiService } from '../operation.js';
import { transactionFor } from '../wire.js';
import { eiCollections } from '../records.js';

type EiTender = PayloadBody<'eiCreateTender'>['tenders'][number];

/** A distributed (peer-to-peer) offer and how much of it is still available. */
export interface OfferRecord {
  partyID: string;
  tender: EiTender;
  remaining: number;
}

export const eiTender: EiService = {
  name: 'EiTender',
  operations: {
    eiCreateTender: {
      scope: 'tender',
      mutates: true,
      party: (body) => body.partyID,
      async handle({ body, now, work }, { host, quotas }) {
        const { writes, transactions } = await admitTenders(work, host, body.partyID,
          body.tenders.map((t) => ({ tenderID: t.tenderID, partyID: body.partyID, product: t.product })), now, quotas);
        return {
          payload: { name: 'eiCreatedTender', body: {
            eiResponse: ok(body.requestID), partyID: body.partyID, counterPartyID: body.counterPartyID,
            tenderIDs: body.tenders.map((t) => t.tenderID),
            transactions: transactions.map(({ market, transaction }) => transactionFor(body.partyID, transaction, market)),
          } },
          writes,
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCreatedTender', body: { eiResponse, partyID: body.partyID, tenderIDs: [], transactions: [] } }),
    },
    eiCancelTender: {
      scope: 'tender',
      mutates: true,
      party: (body) => body.partyID,
      async handle({ body, now, work }, { host }) {
        const notOpen = (tenderID: string) => new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['open tender', `${tenderID} (filled, cancelled, expired or never made)`]);
        const markets = await host.current();
        const targets = body.tenderIDs.map((tenderID) => {
          const market = markets.find((m) => m.hasOpenTender(body.partyID, tenderID));
          if (!market) throw notOpen(tenderID);
          return { market, tenderID };
        });
        // Looked up without the leases; checked again under them, since a tender may have filled meanwhile.
        await work.enter(targets.map((t) => t.market));
        for (const { market, tenderID } of targets) if (!work.engine(market).hasOpenTender(body.partyID, tenderID)) throw notOpen(tenderID);
        const writes: WriteOp[] = [];
        for (const { market, tenderID } of targets) writes.push(...work.run(market, { kind: 'cancel', partyID: body.partyID, tenderID, now }).writes);
        return {
          payload: { name: 'eiCanceledTender', body: { eiResponse: ok(body.requestID), partyID: body.partyID, tenderIDs: body.tenderIDs } },
          writes,
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCanceledTender', body: { eiResponse, partyID: body.partyID, tenderIDs: [] } }),
    },
    eiRequestTender: {
      scope: 'tender',
      mutates: false,
      party: (body) => body.requestorPartyID,
      async handle({ body }, { store, host }) {
        const wanted = (id: string, context: string) => (body.tenderIDs.length === 0 || body.tenderIDs.includes(id))
          && (body.marketContexts.length === 0 || body.marketContexts.includes(context));
        const offers = (await eiCollections.offers.values(store, [body.partyID]))
          .filter((o) => o.remaining > 0 && wanted(o.tender.tenderID, o.tender.product.marketContext)).map((o) => o.tender);
        if (body.partyID !== body.requestorPartyID) {
          return { payload: { name: 'eiReplyTender', body: { eiResponse: ok(body.requestID), tenders: offers } } };
        }
        const open = (await host.current()).flatMap((market) => market.openTenders(body.partyID)
          .filter((t) => wanted(t.tenderID, market.rules.marketContext))
          .map((t): EiTender => ({ tenderID: t.tenderID, product: {
            dtstart: t.slices[0]!.interval,
            duration: durationOfMillis(t.slices.at(-1)!.interval + market.step - t.slices[0]!.interval),
            intervals: t.slices.map((s) => ({ duration: market.rules.granularity, payloads: [{ kind: 'temixPower' as const, value: {
              ...(s.price !== undefined ? { price: { kind: 'price' as const, value: s.price } } : {}), quantity: s.quantity } }] })),
            uid: t.tenderID, transactiveState: 'tender', currency: market.rules.currency, marketContext: market.rules.marketContext, side: t.side,
          } })));
        return { payload: { name: 'eiReplyTender', body: { eiResponse: ok(body.requestID), tenders: [...open, ...offers] } } };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiReplyTender', body: { eiResponse, tenders: [] } }),
    },
    eiDistributeTender: {
      scope: 'tender',
      mutates: true,
      party: (body) => body.partyID,
      async handle({ body }, { store, host, quotas }) {
        await registeredParty(store, body.partyID);
        const open = (await eiCollections.offers.values(store, [body.partyID])).filter((o) => o.remaining > 0).length;
        requireRoom(quotas, 'open offers', open, body.tenders.length);
        const writes: WriteOp[] = [];
        for (const t of body.tenders) {
          const market = marketFor(host, t.product.marketContext);
          await requireEnrolled(store, market, body.partyID);
          const quantity = t.product.payload?.value.quantity;
          if (!(quantity! > 0)) throw new MicromarketError('MM_ERR_EI_INVALID', [`offer ${t.tenderID} needs a positive product quantity`]);
          if (await eiCollections.offers.get(store, [body.partyID, t.tenderID])) throw new MicromarketError('MM_ERR_EI_DUPLICATE_ID', ['offer', t.tenderID]);
          writes.push(eiCollections.offers.put([body.partyID, t.tenderID], { partyID: body.partyID, tender: t, remaining: quantity! } satisfies OfferRecord));
        }
        return { payload: { name: 'eiResponse', body: ok(body.requestID, `distributed ${body.tenders.length}`) }, writes };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiResponse', body: eiResponse }),
    },
  },
};
