/**
 * A micromarket curve call market as a PowerMatcher auctioneer, through the service's public EI
 * interface only. Each connected agent is a party: its latest bid stands as its curve tender (a
 * ladder of step tenders, the SDK's curveProducts) in the market's current interval, the first
 * whose gate is still open, and is carried into the next interval when that gate closes.
 *
 *   agent ──BID n──▶ adapter ──eiCancelTender, eiCreateTender (as the agent)──▶ service
 *   adapter ──eiRequestQuote──▶ service: the interval's indicative price (rate-limited, after bid changes)
 *   adapter ──PRICE_UPDATE (price, n)──▶ every agent whose bid n is in that price
 *   at the gate: the binding clearing price, tagged with the bid each agent had in that auction
 *
 * The price is the engine's curve clearing, which follows PowerMatcher's auctioneer: interpolated
 * crossing, midpoint of a flat stretch, floor or cap without a crossing.
 */
import type { FastifyBaseLogger } from 'fastify';
import { decodeJwt, type JWTPayload } from 'jose';
import { curveProducts, firstOpenInterval, isMicromarketClientError, MicromarketClient, rulesOf, type MarketRules } from '../../src/client/index.js';
import { clusterInfo, priceUpdate, ProtocolError, readBid, type Bid, type MarketBasis } from '../../src/client/index.js';
import { RateLimited } from './rate-limit.js';

export interface AuctioneerOptions {
  /** The micromarket service. */
  readonly service: string;
  /** The curve call market the agents trade in. */
  readonly marketContext: string;
  /** The adapter's own token (any party with the quote scope, which it acts as): it reads the market's rules and prices. */
  readonly token: string;
  /** @default 'DefaultCluster' */
  readonly clusterId?: string;
  /** PowerMatcher's minTimeBetweenPriceUpdates. @default 1000 */
  readonly minTimeBetweenPriceUpdatesMs?: number;
  /** The market's clock (the service's), to tell the current interval. @default Date.now */
  readonly clock?: () => number;
  readonly fetch?: typeof fetch;
  readonly log: FastifyBaseLogger;
}

/** What an agent's connection sends and what it may receive. */
export interface AgentLink {
  send(text: string): void;
  close(code: number, reason: string): void;
}

interface Session {
  readonly agentId: string;
  readonly link: AgentLink;
  readonly client: MicromarketClient;
  /** Distinguishes this connection's tender IDs from any earlier connection's (bid numbers restart). */
  readonly key: string;
  joined: boolean;
  latest?: Bid;
  /** The bid standing in the market, in which interval, under which tender IDs. */
  standing?: { interval: number; bidNumber: number; tenderIDs: string[] };
  /** Bids are sent one at a time per agent; a newer bid waiting replaces an older one. */
  sending: Promise<void>;
}

let connections = 0;

/** The party and scopes a micromarket token names (read, not verified: the service verifies it). */
function claimsOf(token: string): { partyID: string; scopes: string[] } {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new Error('the adapter\'s token is not a micromarket token (a JWT)');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new Error('the adapter\'s token names no party');
  return { partyID: claims.sub, scopes: String(claims.scope ?? '').split(' ').filter(Boolean) };
}

export class Auctioneer {
  readonly basis: MarketBasis;
  readonly #sessions = new Set<Session>();
  /** Disconnected agents whose bids are being withdrawn. */
  readonly #leaving = new Set<Promise<void>>();
  readonly #prices: RateLimited;
  readonly #clock: () => number;
  #interval: number;

  private constructor(private readonly options: AuctioneerOptions, readonly rules: MarketRules, private readonly reader: MicromarketClient) {
    const c = rules.clearing;
    if (c.kind !== 'call' || c.bids !== 'curve' || c.priceSteps === undefined) throw new Error(`${rules.marketContext} is not a curve call market`);
    this.basis = { commodity: rules.resource.name, currency: rules.currency, priceSteps: c.priceSteps, minimumPrice: rules.prices.floor, maximumPrice: rules.prices.cap };
    this.#clock = options.clock ?? Date.now;
    this.#interval = this.currentInterval();
    this.#prices = new RateLimited(options.minTimeBetweenPriceUpdatesMs ?? 1000, () => this.#publish().catch((error: Error) =>
      options.log.warn({ err: error.message }, 'powermatcher: no price to publish')));
  }

  /**
   * Reads the market's rules from the service (GET /markets), as the party the adapter's token
   * names. The token is checked before any agent is served: it must carry the quote scope, and the
   * service must take it for a quote of the market (a token it did not sign, or that has expired,
   * is refused then, not after the first bid).
   */
  static async open(options: AuctioneerOptions): Promise<Auctioneer> {
    const { partyID, scopes } = claimsOf(options.token);
    if (!scopes.includes('quote') && !scopes.includes('operator')) {
      throw new Error(`the adapter's token (party ${partyID}) has scopes ${scopes.join(',') || 'none'}; it needs quote, to read the market's prices`);
    }
    const reader = new MicromarketClient({ baseUrl: options.service, partyID, token: options.token, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const refused = (error: unknown) => isMicromarketClientError(error)
      ? new Error(`the service refused the adapter's token (party ${partyID}): ${error.code ?? error.responseCode}`) : error;
    const served = (await reader.marketRules().catch((error: unknown) => { throw refused(error); })).find((r) => r.marketContext === options.marketContext);
    if (!served) throw new Error(`the service has no market ${options.marketContext}`);
    await reader.quotes(options.marketContext).catch((error: unknown) => { throw refused(error); });
    return new Auctioneer(options, rulesOf(served), reader);
  }

  /** The first interval whose gate is still open. */
  currentInterval(): number {
    return firstOpenInterval(this.rules, this.#clock());
  }

  /** A new agent connection: CLUSTERINFO first, as the auctioneer's side of the protocol does. */
  connect(agentId: string, token: string, link: AgentLink): (text: string) => void {
    const client = new MicromarketClient({ baseUrl: this.options.service, partyID: agentId, token, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
    const session: Session = { agentId, link, client, key: `${Date.now().toString(36)}-${++connections}`, joined: false, sending: Promise.resolve() };
    this.#sessions.add(session);
    link.send(clusterInfo(this.basis, this.options.clusterId ?? 'DefaultCluster'));
    return (text) => this.#received(session, text);
  }

  /** An agent went away: its bid leaves the market, as PowerMatcher drops a disconnected agent's bid. */
  disconnect(link: AgentLink): Promise<void> {
    const session = [...this.#sessions].find((s) => s.link === link);
    if (!session) return Promise.resolve();
    this.#sessions.delete(session);
    session.latest = undefined;
    const leaving = session.sending.then(() => this.#withdraw(session))
      .then(() => this.#prices.request())
      .catch((error: Error) => this.options.log.warn({ agentId: session.agentId, err: error.message }, 'powermatcher: bid of a disconnected agent not withdrawn'))
      .finally(() => this.#leaving.delete(leaving));
    this.#leaving.add(leaving);
    return leaving;
  }

  #received(session: Session, text: string): void {
    let bid: Bid;
    try {
      bid = readBid(text, this.basis);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // PowerMatcher drops an invalid bid with a logged reason; the agent's previous bid stands.
      this.options.log.warn({ agentId: session.agentId, reason: error.message }, 'powermatcher: bid refused');
      return;
    }
    session.latest = bid;
    session.sending = session.sending.then(() => this.#place(session)).catch((error: Error) =>
      this.options.log.warn({ agentId: session.agentId, err: error.message }, 'powermatcher: bid not placed'));
  }

  /** Puts the agent's latest bid in the current interval, replacing what it had there. */
  async #place(session: Session): Promise<void> {
    const bid = session.latest;
    if (!bid || (session.standing?.bidNumber === bid.bidNumber && session.standing.interval === this.#interval)) return;
    if (!session.joined) {
      await session.client.register({ partyName: session.agentId, partyRoles: ['resource'] });
      await session.client.enroll(this.rules.marketContext, 'resource');
      session.joined = true;
    }
    const interval = this.#interval;
    await this.#withdraw(session);
    const products = curveProducts(this.rules, bid.demand, interval);
    const tenderIDs = products.map((_, k) => `pm.${session.key}.${interval}.${bid.bidNumber}.${k}`);
    if (products.length > 0) await session.client.tender(products.map((product, k) => ({ tenderID: tenderIDs[k]!, product })));
    session.standing = { interval, bidNumber: bid.bidNumber, tenderIDs };
    this.#prices.request();
  }

  /** Takes the agent's standing bid out of the market, if its interval is still open. */
  async #withdraw(session: Session): Promise<void> {
    const standing = session.standing;
    if (!standing || standing.interval !== this.#interval || standing.tenderIDs.length === 0) return;
    session.standing = undefined;
    await session.client.cancelTenders(...standing.tenderIDs);
  }

  /** Sends every agent with a bid in the current interval the interval's indicative price. */
  async #publish(): Promise<void> {
    const interval = this.#interval;
    const price = await this.#price(interval, 'indicative') ?? (this.#onlyZeroBids(interval) ? this.#midpoint() : undefined);
    if (price !== undefined) this.#tell(interval, price);
  }

  /**
   * Whether the agents standing in the interval all bid zero at every price. Such a bid places no
   * tender (a tender has a positive quantity); PowerMatcher prices an all-zero aggregate at the
   * middle of the basis, as the engine would.
   */
  #onlyZeroBids(interval: number): boolean {
    const standing = [...this.#sessions].filter((s) => s.standing?.interval === interval);
    return standing.length > 0 && standing.every((s) => s.standing!.tenderIDs.length === 0);
  }

  #midpoint(): number {
    return (this.basis.minimumPrice + this.basis.maximumPrice) / 2;
  }

  #tell(interval: number, price: number): void {
    for (const s of this.#sessions) {
      if (s.standing?.interval === interval) s.link.send(priceUpdate(this.basis, s.standing.bidNumber, price));
    }
  }

  #price(interval: number, kind: 'indicative' | 'cleared'): Promise<number | undefined> {
    return this.reader.price(this.rules.marketContext, interval, kind);
  }

  /**
   * Follows the clock: once the current interval's gate has closed and the service has cleared it,
   * each agent is told the binding price with the bid it had in that auction, and every agent's
   * latest bid moves to the next interval. Call it every gate tick.
   */
  async tick(): Promise<void> {
    const closed = this.#interval;
    if (this.currentInterval() === closed) return;
    if ([...this.#sessions].some((s) => s.standing?.interval === closed)) {
      const price = this.#onlyZeroBids(closed) ? this.#midpoint() : await this.#price(closed, 'cleared');
      if (price === undefined) return; // not cleared yet: look again next tick
      this.#tell(closed, price);
    }
    this.#interval = this.currentInterval();
    for (const s of this.#sessions) {
      s.sending = s.sending.then(() => this.#place(s)).catch((error: Error) =>
        this.options.log.warn({ agentId: s.agentId, err: error.message }, 'powermatcher: bid not carried into the next interval'));
    }
  }

  /** Waits for bids being placed or withdrawn, then stops publishing prices. */
  async close(): Promise<void> {
    await Promise.all([...[...this.#sessions].map((s) => s.sending), ...this.#leaving]);
    await this.#prices.stop();
  }
}
