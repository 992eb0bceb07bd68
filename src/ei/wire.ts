import type { Instant } from '../calendar/instant.js';
import type { Product } from '../emix/product.js';
import type { StandardTerms } from '../emix/standard-terms.js';
import type { Market } from '../market/market.js';
import type { Transaction } from '../market/types.js';
import type { PayloadBody } from '../xml/payloads/index.js';

type EiTransaction = PayloadBody<'eiReplyTransaction'>['transactions'][number];
type EiMarketContext = PayloadBody<'eiReplyEiMarketContext'>['marketContexts'][number];

/** A product for one market interval at a price and quantity. */
export function intervalProduct(market: Market, interval: Instant, uid: string, state: Product['transactiveState'],
  side: 'buy' | 'sell', price: number | undefined, quantity: number): Product {
  return {
    dtstart: interval,
    duration: market.rules.granularity,
    payload: { kind: 'temixPower', value: { ...(price !== undefined ? { price: { kind: 'price', value: price } } : {}), quantity } },
    uid,
    transactiveState: state,
    currency: market.rules.currency,
    marketContext: market.rules.marketContext,
    side,
  };
}

/** A transaction as one party sees it: its own tender and side. */
export function transactionFor(partyID: string, t: Transaction, market: Market): EiTransaction {
  const buying = t.buyer === partyID;
  const tenderID = buying ? t.buyTenderID : t.sellTenderID;
  return {
    transactionID: t.transactionID,
    ...(tenderID !== undefined ? { tenderID } : {}),
    product: intervalProduct(market, t.interval, t.transactionID, 'transaction', buying ? 'buy' : 'sell', t.price, t.quantity),
  };
}

/**
 * A market's rules as EMIX standard terms: the interval length (marketGranularity), how long before
 * an interval trading closes (minimumNotificationDuration = gate closure), how far ahead it opens
 * (maximumNotificationDuration = horizon) and the market hours (availabilitySchedule).
 */
export function marketContextOf(market: Market): EiMarketContext {
  const { rules } = market;
  const terms: StandardTerms['termsSets'][number]['terms'] = [
    { kind: 'marketGranularity', value: rules.granularity },
    { kind: 'minimumNotificationDuration', value: rules.clearing.gateClosure },
    { kind: 'maximumNotificationDuration', value: rules.horizon },
    ...rules.hours.map((h) => ({ kind: 'availabilitySchedule' as const, value: h })),
  ];
  return {
    marketContext: rules.marketContext,
    marketName: rules.name,
    standardTerms: {
      marketContext: rules.marketContext,
      marketContextName: rules.name,
      termsSets: [{ terms, nonStandardTermsHandling: 'reject' }],
      granularity: rules.granularity,
      currency: rules.currency,
      nonStandardTermsHandling: 'reject',
    },
  };
}

