/**
 * EiQuote: prices. Parties ask; the service also sends each clearing to subscribers (see
 * QuoteDistributor) as eiCreateQuote.
 *
 *   party ──eiRequestQuote──▶ service   best bid/ask, indicative and recent clearing prices
 */
import { marketsNamed } from '../../host/lookups.js';
import type { EiService } from '../operation.js';
import { ok } from '../../xml/payloads/index.js';

export const eiQuote: EiService = {
  name: 'EiQuote',
  operations: {
    eiRequestQuote: {
      scope: 'quote',
      mutates: false,
      party: (body) => body.requestorPartyID,
      async handle({ body, now }, { host, quotes }) {
        const all = await quotes.quotesFor(await host.current(marketsNamed(host, body.marketContexts)), now);
        const wanted = body.quoteIDs.length === 0 ? all : all.filter((q) => body.quoteIDs.includes(q.quoteID));
        return { payload: { name: 'eiReplyQuote', body: { eiResponse: ok(body.requestID), quotes: wanted } } };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiReplyQuote', body: { eiResponse, quotes: [] } }),
    },
  },
};
