import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { MicromarketError } from '../errors.js';
import type { Store } from '../store/store.js';
import { authCollections } from './records.js';
import { requireScope, requireSelf, type Principal, type Scope, type TokenService } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The party the request comes from, refused (401/403) unless it holds `scope` and, when the
     * request acts for `partyID`, is that party (or the operator): every route's one authentication
     * step, called before the route reads or changes anything.
     */
    authenticate(scope?: Scope, partyID?: string): Promise<Principal>;
  }
}

export interface AuthenticationOptions {
  readonly tokens: TokenService;
  /** Real time for token lifetimes, whatever the market clock does. */
  readonly wallClock: () => number;
  /** Where certificate fingerprints are mapped to parties, and requests counted. */
  readonly store: Store;
  /** Requests a party may make per second of `wallClock` (the operator is not counted). */
  readonly quotas: { readonly requestsPerSecond: number };
}

/** Decorates every request of `app` with `authenticate(scope)`. */
export function registerAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  app.decorateRequest('authenticate', async function authenticateRequest(this: FastifyRequest, scope?: Scope, partyID?: string): Promise<Principal> {
    const principal = await principalOf(this, options);
    if (scope) requireScope(principal, scope);
    if (partyID !== undefined) requireSelf(principal, partyID);
    if (!principal.scopes.has('operator')) await countRequest(principal.partyID, options);
    return principal;
  });
}

/** Refuses (429) a party's request beyond its quota for this second; on Redis all instances count together. */
async function countRequest(partyID: string, { store, wallClock, quotas }: AuthenticationOptions): Promise<void> {
  const count = await store.tally(`requests/${partyID}/${Math.floor(wallClock() / 1000)}`);
  if (count > quotas.requestsPerSecond) throw new MicromarketError('MM_ERR_QUOTA_REQUESTS', [partyID, quotas.requestsPerSecond]);
}

/**
 * The party a request comes from: its bearer token, or else the TLS client certificate it
 * presented, if the service trusts its issuer and the operator mapped its fingerprint to a party.
 */
async function principalOf(request: FastifyRequest, { tokens, wallClock, store }: AuthenticationOptions): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) {
    const socket = request.raw.socket as TLSSocket;
    if (socket.encrypted && socket.authorized) {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      const mapped = await authCollections.fingerprints.get(store, [fingerprint]);
      if (mapped) return { partyID: mapped.partyID, scopes: new Set(mapped.scopes) };
      throw new MicromarketError('MM_ERR_AUTH_INVALID', [`client certificate ${fingerprint} is not mapped to a party`]);
    }
    throw new MicromarketError('MM_ERR_AUTH_MISSING');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new MicromarketError('MM_ERR_AUTH_INVALID', ['not a Bearer token']);
  return tokens.verify(match[1]!, wallClock());
}
