import type { FastifyBaseLogger } from 'fastify';
import { formatInstant } from '../calendar/instant.js';
import { CallMarket } from '../market/call-market.js';
import type { Market } from '../market/market.js';
import type { ClearingResult } from '../market/types.js';
import { postXml } from '../http/outbound.js';
import type { Key } from '../store/collection.js';
import type { Store, WriteOp } from '../store/store.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { PayloadBody } from '../xml/payloads/index.js';
import { collections } from '../host/records.js';
import { enrolledParties } from '../host/lookups.js';
import { intervalProduct } from './wire.js';
import { eiCollections } from './records.js';

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

  /** Quotes from the markets' engines: pass them current (MarketHost.current). */
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
      const recent = (await collections.clearings.list(this.store, [market.rules.id]))
        .map(([, c]) => c).filter((c) => typeof c.interval === 'number' && typeof c.price === 'number' && c.interval >= now - 3_600_000);
      for (const c of recent) {
        const interval = c.interval as number;
        quotes.push({ quoteID: quoteID(market, interval, 'cleared'),
          products: [intervalProduct(market, interval, quoteID(market, interval, 'cleared'), 'publication', 'buy', c.price as number, c.quantity as number)] });
      }
    }
    return quotes;
  }

  /**
   * The outbox entries that make a clearing's delivery to subscribers survive a crash: written in
   * the same commit as the clearing, taken off by `deliver`.
   */
  outboxWrites(clearings: readonly ClearingResult[]): WriteOp[] {
    return clearings.filter((c) => c.price !== undefined).map((c) => eiCollections.quoteOutbox.put([c.marketID, c.interval],
      { interval: c.interval, price: c.price!, quantity: c.quantity, sent: [] } satisfies QuoteOutboxRecord));
  }

  /** The outbox keys (marketID/interval) of a market still to deliver. */
  async pending(market: Market): Promise<Key[]> {
    return (await eiCollections.quoteOutbox.list(this.store, [market.rules.id])).map(([key]) => key);
  }

  /**
   * Sends an outbox entry's clearing price to every subscriber of the market not yet sent it,
   * recording each delivery, then removes the entry: run again after a crash, it sends only what
   * was not recorded, and nothing once the entry is gone. A subscriber that refuses or cannot be
   * reached is logged and not tried again. Returns the deliveries made.
   */
  async deliver(market: Market, key: Key): Promise<number> {
    const entry = await eiCollections.quoteOutbox.get(this.store, key);
    if (!entry) return 0;
    const id = quoteID(market, entry.interval, 'cleared');
    const quotes: EiQuote[] = [{ quoteID: id, products: [intervalProduct(market, entry.interval, id, 'publication', 'buy', entry.price, entry.quantity)] }];
    let delivered = 0;
    for (const [partyID, address] of await this.subscribers(market)) {
      if (entry.sent.includes(partyID)) continue;
      // The requestID is the same on every attempt, so a subscriber sent it twice (a crash between sending and recording) can tell.
      const body = this.pipeline.write({ name: 'eiCreateQuote', body: { requestID: `quote-${id}-${partyID}`, publisherPartyID: SERVICE_PARTY, subscriberPartyID: partyID, quotes } });
      try {
        const res = await postXml(address, body, this.timeoutMs);
        if (res.status >= 200 && res.status < 300) delivered++;
        else this.log.warn({ party: partyID, status: res.status }, 'quote not accepted by subscriber');
      } catch (error) {
        this.log.warn({ party: partyID, err: (error as Error).message }, 'quote could not be delivered');
      }
      entry.sent.push(partyID);
      await this.store.commit([eiCollections.quoteOutbox.put(key, entry)]);
    }
    await this.store.commit([eiCollections.quoteOutbox.del(key)]);
    return delivered;
  }

  /** Enrolled EI parties with an HTTP transport address (OpenADR VENs hear of prices through their events): partyID → address. */
  private async subscribers(market: Market): Promise<Array<[string, string]>> {
    return (await enrolledParties(this.store, market)).filter((p) => !p.oadr && /^https?:\/\//.test(p.transportAddress ?? ''))
      .map((p) => [p.partyID, p.transportAddress!]);
  }
}

/** A clearing price waiting to be sent to a market's subscribers, and who has been sent it. */
export interface QuoteOutboxRecord {
  interval: number;
  price: number;
  quantity: number;
  sent: string[];
}
