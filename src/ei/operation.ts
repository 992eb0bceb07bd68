import type { Principal, Scope } from '../auth/tokens.js';
import type { ServiceContext } from '../host/context.js';
import type { WriteOp } from '../store/store.js';
import type { EiResponse, Payload, PayloadBody, PayloadName } from '../xml/payloads/index.js';
import type { MarketWork } from '../host/markets.js';
import type { QuoteDistributor } from './quote-distribution.js';

/** What every EI operation can use: the service's context and the quotes it publishes. */
export interface EiServices extends ServiceContext {
  readonly quotes: QuoteDistributor;
}

export interface EiRequest<B> {
  readonly body: B;
  readonly principal: Principal;
  readonly now: number;
  /** The markets the request changes: entered here, committed with the answer's writes. */
  readonly work: MarketWork;
}

/** An operation's answer and the writes to commit, atomically with the request record, before it is sent. */
export interface EiAnswer {
  readonly payload: Payload;
  readonly writes?: readonly WriteOp[];
}

export interface Operation<N extends PayloadName> {
  /** The scope a token needs. */
  readonly scope: Scope;
  /** The party the request acts for, named in its body: the caller must be that party (or the operator). */
  readonly party?: (body: PayloadBody<N>) => string;
  /** Whether the operation changes state: its first response is then kept for retries with the same requestID. */
  readonly mutates: boolean;
  readonly handle: (request: EiRequest<PayloadBody<N>>, services: EiServices) => Promise<EiAnswer>;
  /** The operation's own response payload carrying a refusal (a protocol error). */
  readonly refuse: (body: PayloadBody<N>, eiResponse: EiResponse) => Payload;
}

/** An EI service: its name in the URL and the payloads it accepts. */
export interface EiService {
  readonly name: string;
  readonly operations: { readonly [N in PayloadName]?: Operation<N> };
}
