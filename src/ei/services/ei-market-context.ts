/**
 * EiMarketContext: what a market trades and on which terms, as EMIX standard terms.
 *
 *   party ──eiRequestEiMarketContext──▶ service   the markets named (or every market)
 */
import { marketsNamed } from '../../host/lookups.js';
import type { EiService } from '../operation.js';
import { marketContextOf } from '../wire.js';
import { ok } from '../../xml/payloads/index.js';

export const eiMarketContext: EiService = {
  name: 'EiMarketContext',
  operations: {
    eiRequestEiMarketContext: {
      scope: 'enroll',
      mutates: false,
      party: (body) => body.requestorPartyID,
      async handle({ body }, { host }) {
        return { payload: { name: 'eiReplyEiMarketContext', body: { eiResponse: ok(body.requestID),
          marketContexts: marketsNamed(host, body.marketContexts).map(marketContextOf) } } };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiReplyEiMarketContext', body: { eiResponse, marketContexts: [] } }),
    },
  },
};
