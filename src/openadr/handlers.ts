import { requireSelf, type Principal } from '../auth/tokens.js';
import type { MarketWork } from '../host/markets.js';
import type { ServiceContext } from '../host/context.js';
import type { WriteOp } from '../store/store.js';
import type { OadrMessage, OadrMessageOf } from '../xml/payloads/oadr.js';

/** What a handler may use: the caller, the market time and the EI services' store and markets. */
/** What OpenADR's handlers use of the service. */
export type OadrServices = Pick<ServiceContext, 'store' | 'host' | 'quotas'>;
export type OadrContext = OadrServices & { readonly principal: Principal; readonly now: number; readonly work: MarketWork };

/** A handler's answer and the writes to commit, atomically, before it is sent. */
export interface OadrAnswer {
  readonly reply: OadrMessage;
  readonly writes?: readonly WriteOp[];
}

/** Runs a handler in a unit of work and commits its writes before the answer is used. */
export function handled(host: ServiceContext['host'], handle: (work: MarketWork) => Promise<OadrAnswer>): Promise<OadrAnswer> {
  return host.withWork(async (work) => {
    const answer = await handle(work);
    await work.commit(answer.writes ?? []);
    return answer;
  });
}

/** The messages one OpenADR service accepts, each with its handler. */
export type OadrHandlers = { readonly [K in OadrMessage['kind']]?: (body: OadrMessageOf<K>, context: OadrContext) => Promise<OadrAnswer> };

/** The VEN a message is for: the venID it names, which must be the caller's own, or else the caller. */
export function ownVen(principal: Principal, venID: string | undefined): string {
  if (venID === undefined) return principal.partyID;
  requireSelf(principal, venID);
  return venID;
}
