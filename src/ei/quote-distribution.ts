import type { FastifyBaseLogger } from 'fastify';
import { formatInstant } from '../calendar/instant.js';
import { CallMarket } from '../market/call-market.js';
import type { Market } from '../market/market.js';
import type { ClearingResult } from '../market/types.js';
import { postXml } from '../http/outbound.js';
import type { Store } from '../store/store.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { PayloadBody } from '../xml/payloads/index.js';
import { collections, fromJson, type EnrollmentRecord, type PartyRecord } from './records.js';
import { intervalProduct } from './wire.js';

type EiQuote = PayloadBody<'eiReplyQuote'>['quotes'][number];

/** The party name the service publishes quotes and registers parties as. */
export const SERVICE_PARTY = 'micromarket';

const quoteID = (market: Market, interval: number, kind: string) => `${market.rules.id}:${formatInstant(interval)}:${kind}`;

/**
 * Quotes are EMIX publications: per interval, the best bid and ask of a continuous book (price and
 * the quantity at that price), the indicative price of a call auction still open, and the price of
 * recent clearings. Subscribers (enrolled parties with a transport address) are sent the clearing
 * price as soon as an auction clears.
 */
export class QuoteDistributor {
  constructor(private readonly store: Store, private readonly pipeline: XmlPipeline, private readonly log: FastifyBaseLogger,
    private readonly timeoutMs = 2000) {}

  async quotesFor(markets: readonly Market[], now: number): Promise<EiQuote[]> {
    const quotes: EiQuote[] = [];
    for (const market of markets) {
      if (market instanceof CallMarket) {
        for (const interval of market.openIntervals()) {
          const { price, quantity } = market.indicative(interval);
          if (price === undefined) continue;
          quotes.push({ quoteID: quoteID(market, interval, 'indicative'),
            products: [intervalProduct(market, interval, quoteID(market, interval, 'indicative'), 'publication', 'buy', price, quantity)] });
        }
      } else {
        for (const interval of [...market.books.keys()].sort((a, b) => a - b)) {
          const touch = market.touch(interval);
          const products = (['bid', 'ask'] as const).flatMap((kind) => {
            const level = touch[kind];
            return level ? [intervalProduct(market, interval, quoteID(market, interval, kind), 'publication',
              kind === 'bid' ? 'buy' : 'sell', level.price, level.quantity)] : [];
          });
          if (products.length > 0) quotes.push({ quoteID: quoteID(market, interval, 'book'), products });
        }
      }
      const recent = (await this.store.list<Record<string, number | string | null>>(collections.clearings, `${market.rules.id}/`))
        .map(([, c]) => c).filter((c) => typeof c.interval === 'number' && typeof c.price === 'number' && c.interval >= now - 3_600_000);
      for (const c of recent) {
        const interval = c.interval as number;
        quotes.push({ quoteID: quoteID(market, interval, 'cleared'),
          products: [intervalProduct(market, interval, quoteID(market, interval, 'cleared'), 'publication', 'buy', c.price as number, c.quantity as number)] });
      }
    }
    return quotes;
  }

  /** Sends each clearing to every subscriber of the market; failures are logged, never thrown. Returns deliveries. */
  async distribute(market: Market, clearings: readonly ClearingResult[]): Promise<number> {
    const cleared = clearings.filter((c) => c.price !== undefined);
    if (cleared.length === 0) return 0;
    const quotes: EiQuote[] = cleared.map((c) => ({ quoteID: quoteID(market, c.interval, 'cleared'),
      products: [intervalProduct(market, c.interval, quoteID(market, c.interval, 'cleared'), 'publication', 'buy', c.price, c.quantity)] }));
    const enrollments = await this.store.list<Record<string, string>>(collections.enrollments);
    let delivered = 0;
    for (const [, e] of enrollments) {
      const enrollment = fromJson<EnrollmentRecord>(e)!;
      if (enrollment.marketContext !== market.rules.marketContext || enrollment.status !== 'approvedEnrollment') continue;
      const party = fromJson<PartyRecord>(await this.store.get(collections.parties, enrollment.partyID));
      const address = party?.transportAddress;
      // OpenADR VENs hear of prices through their events, not EI quotes.
      if (!party || party.cancelled || party.oadr || !address || !/^https?:\/\//.test(address)) continue;
      const body = this.pipeline.write({ name: 'eiCreateQuote', body: {
        requestID: `quote-${quotes[0]!.quoteID}-${party.partyID}`, publisherPartyID: SERVICE_PARTY, subscriberPartyID: party.partyID, quotes,
      } });
      try {
        const res = await postXml(address, body, this.timeoutMs);
        if (res.status >= 200 && res.status < 300) delivered++;
        else this.log.warn({ party: party.partyID, status: res.status }, 'quote not accepted by subscriber');
      } catch (error) {
        this.log.warn({ party: party.partyID, err: (error as Error).message }, 'quote could not be delivered');
      }
    }
    return delivered;
  }
}
