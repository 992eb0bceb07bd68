/**
 * EiMarketContext: what a market trades and on which terms, as EMIX standard terms.
 *
 *   party ──eiRequestEiMarketContext──▶ service   the markets named (or every market)
 */
import { MicromarketError } from '../../errors.js';
import { ok, type EiService } from '../operation.js';
import { marketContextOf } from '../wire.js';

export const eiMarketContext: EiService = {
  name: 'EiMarketContext',
  operations: {
    eiRequestEiMarketContext: {
      scope: 'enroll',
      mutates: false,
      async handle({ body }, { host }) {
        const unknown = body.marketContexts.find((c) => !host.byContext.has(c));
        if (unknown) throw new MicromarketError('MM_ERR_EI_UNKNOWN_MARKET', [unknown]);
        const markets = body.marketContexts.length === 0 ? host.markets : body.marketContexts.map((c) => host.byContext.get(c)!);
        return { payload: { name: 'eiReplyEiMarketContext', body: { eiResponse: ok(body.requestID), marketContexts: markets.map(marketContextOf) } } };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiReplyEiMarketContext', body: { eiResponse, marketContexts: [] } }),
    },
  },
};
