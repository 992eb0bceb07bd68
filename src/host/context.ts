import type { Quotas } from './quotas.js';
import type { Logger } from 'pino';
import type { TokenService } from '../auth/tokens.js';
import type { Market } from '../market/market.js';
import type { Store, WriteOp } from '../store/store.js';
import type { MarketHost } from './markets.js';

/**
 * What every protocol above the kernel (src/ei, src/openadr, src/intertie, src/dashboard) works
 * with. The composition root (src/service) builds it once; protocols never reach each other but
 * through its hooks.
 */
export interface ServiceContext {
  readonly store: Store;
  readonly host: MarketHost;
  /** Signs and checks bearer tokens (the authentication hook, and interties reaching a local parent). */
  readonly tokens: TokenService;
  /** Market time (ms): gates, horizons, expiry. Demos and tests may run it fast. */
  readonly clock: () => number;
  /** Real time (ms) for authentication: token lifetimes never follow an accelerated market clock. */
  readonly wallClock: () => number;
  readonly log: Logger;
  readonly hooks: ServiceHooks;
  readonly quotas: Quotas;
}

/**
 * Writes a protocol adds to the commit of a party leaving markets (EiEnroll's cancel): OpenADR
 * cancels the party's coming events there, atomically with the leaving.
 */
export type PartyLeft = (partyID: string, markets: readonly Market[], now: number) => Promise<WriteOp[]>;

/** Where one protocol's state change concerns another's records, it runs these, registered by the composition root. */
export interface ServiceHooks {
  readonly partyLeft: readonly PartyLeft[];
}

/** The writes of every `partyLeft` hook, in order. */
export async function partyLeftWrites(hooks: ServiceHooks, partyID: string, markets: readonly Market[], now: number): Promise<WriteOp[]> {
  const writes: WriteOp[] = [];
  for (const hook of hooks.partyLeft) writes.push(...await hook(partyID, markets, now));
  return writes;
}
