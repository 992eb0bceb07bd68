/**
 * A child market's connection to its parent market, through the parent's public EI interface and
 * the SDK, whether the parent runs in this service or in another. The child is one party there.
 */
import { MicromarketClient, type ClientOptions } from '../client/client.js';
import { isMicromarketClientError } from '../client/errors.js';
import type { Product } from '../emix/product.js';
import { rulesOf } from '../terms/public-rules.js';
import type { MarketRules } from '../terms/rules.js';
import { checkParent } from '../market/tree.js';

/** What the parent made of an interval: its clearing price and the child party's net purchase. */
export interface ParentOutcome {
  readonly price: number;
  readonly net: number;
}

export class ParentLink {
  readonly #client: MicromarketClient;
  #rules: MarketRules | undefined;
  /** Calls the parent has answered: the link is known to be up only when this grows. */
  answered = 0;

  constructor(options: ClientOptions, readonly marketContext: string) {
    // One attempt per call: the agent's next tick is the retry, so a dead parent never stalls a tick.
    this.#client = new MicromarketClient({ ...options, attempts: 1 });
  }

  /** The parent's rules, once joined. */
  get rules(): MarketRules | undefined {
    return this.#rules;
  }

  /**
   * Reads the parent's rules and checks them against the child's, registers the child's party and
   * enrolls it. Returns why the intertie cannot trade yet (a mismatch, an enrollment pending), if so.
   */
  async join(child: MarketRules): Promise<string | undefined> {
    const served = (await this.#answer(this.#client.marketRules())).find((r) => r.marketContext === this.marketContext);
    if (!served) return `the parent serves no market ${this.marketContext}`;
    const rules = rulesOf(served);
    const problems = checkParent(child, rules);
    if (problems.length > 0) return problems.join('; ');
    await this.#answer(this.#client.register({ partyRoles: ['aggregator'], partyName: child.name }));
    const { enrollmentStatus } = await this.#answer(this.#client.enroll(this.marketContext, 'aggregator'));
    if (enrollmentStatus !== 'approvedEnrollment') return `enrollment in ${this.marketContext} is ${enrollmentStatus ?? 'unknown'}: the parent's operator must approve it`;
    this.#rules = rules;
    return undefined;
  }

  /** The IDs of the child's tenders open in the parent for one interval. */
  async openTenders(interval: number): Promise<string[]> {
    const { tenders } = await this.#answer(this.#client.tenders());
    return tenders.filter((t) => t.product.marketContext === this.marketContext && t.product.dtstart === interval).map((t) => t.tenderID);
  }

  async cancel(tenderIDs: readonly string[], requestID: string): Promise<void> {
    await this.#answer(this.#client.call('EiTender', 'eiCanceledTender', { name: 'eiCancelTender', body: { requestID, partyID: this.#client.partyID, tenderIDs: [...tenderIDs] } }));
  }

  async tender(tenders: Array<{ tenderID: string; product: Product }>, requestID: string): Promise<void> {
    await this.#answer(this.#client.tender(tenders, requestID));
  }

  /** Counts an answer (a refusal is an answer too: the parent is there). */
  async #answer<T>(call: Promise<T>): Promise<T> {
    try {
      const value = await call;
      this.answered++;
      return value;
    } catch (error) {
      if (isMicromarketClientError(error) && !error.responseCode.startsWith('5')) this.answered++;
      throw error;
    }
  }

  /** The parent's clearing of an interval and the child's part in it, or undefined while it has not cleared. */
  async outcome(interval: number): Promise<ParentOutcome | undefined> {
    const price = await this.#answer(this.#client.price(this.marketContext, interval, 'cleared'));
    if (price === undefined) return undefined;
    const { transactions } = await this.#answer(this.#client.transactions({ marketContexts: [this.marketContext] }));
    let net = 0;
    for (const t of transactions) {
      if (t.product.dtstart !== interval) continue;
      const quantity = t.product.payload?.value.quantity ?? 0;
      net += t.product.side === 'buy' ? quantity : -quantity;
    }
    return { price, net };
  }
}
