import { randomUUID } from 'node:crypto';
import type { Availability } from '../calendar/availability.js';
import type { Product } from '../emix/product.js';
import { XmlPipeline } from '../xml/pipeline.js';
import type { Payload, PayloadBody, PayloadName } from '../xml/payloads/index.js';
import { SchemaSet } from '../xml/schema-set.js';
import type { PublicRules } from '../ei/public-rules.js';
import { MicromarketClientError } from './errors.js';

export interface ClientOptions {
  /** The service, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** The party the client acts for. */
  readonly partyID: string;
  /** A bearer token (from `micromarket token`), or client credentials to obtain one. */
  readonly token?: string;
  /** Where a fresh token comes from when there is none or it expired (a service minting its own). */
  readonly tokenSource?: () => Promise<{ token: string; expiresInSeconds: number }>;
  readonly credentials?: { readonly clientId: string; readonly clientSecret: string };
  /**
   * Attempts for a request that failed in transport or with a 5xx; every attempt carries the same
   * requestID, so the service applies it at most once.
   * @default 3
   */
  readonly attempts?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

type ResponseOf<N extends PayloadName> = PayloadBody<N>;
let sharedPipeline: XmlPipeline | undefined;

/** Typed access to micromarket's EI services. Every method throws MicromarketClientError on a refusal. */
export class MicromarketClient {
  readonly partyID: string;
  readonly #options: ClientOptions;
  readonly #pipeline: XmlPipeline;
  #token: { value: string; until: number } | undefined;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.partyID = options.partyID;
    this.#pipeline = sharedPipeline ??= new XmlPipeline(SchemaSet.load());
    if (options.token) this.#token = { value: options.token, until: Number.POSITIVE_INFINITY };
  }

  // ---- registration and enrollment

  register(info: PayloadBody<'eiCreatePartyRegistration'>['registrationInfo']): Promise<ResponseOf<'eiCreatedPartyRegistration'>> {
    return this.call('EiRegisterParty', 'eiCreatedPartyRegistration', { name: 'eiCreatePartyRegistration', body: { requestID: '', registreePartyID: this.partyID, registrationInfo: info } });
  }

  enroll(marketContext: string, enrolleeType: PayloadBody<'eiCreateEnroll'>['enrollment']['enrolleeType'] = 'consumer', at = Date.now()): Promise<ResponseOf<'eiCreatedEnroll'>> {
    return this.call('EiEnroll', 'eiCreatedEnroll', { name: 'eiCreateEnroll', body: { requestID: '', enrollment: {
      applicationDate: at, enrolleePartyID: this.partyID, enrolleeType, marketContext, resourceIDs: [] } } });
  }

  enrollments(): Promise<ResponseOf<'eiReplyEnroll'>> {
    return this.call('EiEnroll', 'eiReplyEnroll', { name: 'eiRequestEnroll', body: { requestID: '', enrolleePartyID: this.partyID, enrollmentIDs: [], marketContexts: [] } });
  }

  marketContexts(...marketContexts: string[]): Promise<ResponseOf<'eiReplyEiMarketContext'>> {
    return this.call('EiMarketContext', 'eiReplyEiMarketContext', { name: 'eiRequestEiMarketContext', body: { requestID: '', requestorPartyID: this.partyID, marketContexts } });
  }

  // ---- trading

  /** Tenders (all admitted or none); a continuous market answers with the transactions made. */
  tender(tenders: Array<{ tenderID: string; product: Product }>, requestID?: string): Promise<ResponseOf<'eiCreatedTender'>> {
    return this.call('EiTender', 'eiCreatedTender', { name: 'eiCreateTender', body: { requestID: requestID ?? '', partyID: this.partyID, counterPartyID: 'micromarket', tenders } });
  }

  cancelTenders(...tenderIDs: string[]): Promise<ResponseOf<'eiCanceledTender'>> {
    return this.call('EiTender', 'eiCanceledTender', { name: 'eiCancelTender', body: { requestID: '', partyID: this.partyID, tenderIDs } });
  }

  /** Own open tenders, or the distributed offers of another party. */
  tenders(ofParty = this.partyID): Promise<ResponseOf<'eiReplyTender'>> {
    return this.call('EiTender', 'eiReplyTender', { name: 'eiRequestTender', body: { requestID: '', partyID: ofParty, counterPartyIDs: [], requestorPartyID: this.partyID, marketContexts: [], tenderIDs: [] } });
  }

  /** Publishes peer-to-peer offers. */
  distribute(tenders: Array<{ tenderID: string; product: Product }>): Promise<ResponseOf<'eiResponse'>> {
    return this.call('EiTender', 'eiResponse', { name: 'eiDistributeTender', body: { requestID: '', partyID: this.partyID, tenders } });
  }

  /** Accepts (part of) a distributed offer of `counterPartyID`. */
  accept(counterPartyID: string, transactions: Array<{ transactionID: string; tenderID: string; product: Product }>): Promise<ResponseOf<'eiCreatedTransaction'>> {
    return this.call('EiTransaction', 'eiCreatedTransaction', { name: 'eiCreateTransaction', body: { requestID: '', partyID: this.partyID, counterPartyID, transactions } });
  }

  transactions(filter: { marketContexts?: string[]; transactionIDs?: string[] } = {}): Promise<ResponseOf<'eiReplyTransaction'>> {
    return this.call('EiTransaction', 'eiReplyTransaction', { name: 'eiRequestTransaction', body: { requestID: '', partyID: this.partyID, counterPartyIDs: [],
      requestorPartyID: this.partyID, marketContexts: filter.marketContexts ?? [], transactionIDs: filter.transactionIDs ?? [] } });
  }

  quotes(...marketContexts: string[]): Promise<ResponseOf<'eiReplyQuote'>> {
    return this.call('EiQuote', 'eiReplyQuote', { name: 'eiRequestQuote', body: { requestID: '', requestorPartyID: this.partyID, publisherPartyID: 'micromarket', marketContexts, quoteIDs: [] } });
  }

  /**
   * An interval's price from a market's quotes: `indicative`, what its auction would give now, or
   * `cleared`, what it gave at the gate (kept for an hour); undefined when there is none.
   */
  async price(marketContext: string, interval: number, kind: 'indicative' | 'cleared'): Promise<number | undefined> {
    const { quotes } = await this.quotes(marketContext);
    const price = quotes.find((q) => q.quoteID.endsWith(`:${kind}`) && q.products[0]?.dtstart === interval)?.products[0]?.payload?.value.price;
    return price?.kind === 'price' ? price.value : undefined;
  }

  // ---- availability

  declareAvailability(avails: Array<{ availID?: string; resourceID?: string; marketContext?: string; availability: Availability }>): Promise<ResponseOf<'eiCreatedAvail'>> {
    return this.call('EiAvail', 'eiCreatedAvail', { name: 'eiCreateAvail', body: { requestID: '', partyID: this.partyID, avails } });
  }

  availability(): Promise<ResponseOf<'eiReplyAvail'>> {
    return this.call('EiAvail', 'eiReplyAvail', { name: 'eiRequestAvail', body: { requestID: '', partyID: this.partyID, resourceIDs: [], marketContexts: [], availIDs: [] } });
  }

  cancelAvailability(...availIDs: string[]): Promise<ResponseOf<'eiCanceledAvail'>> {
    return this.call('EiAvail', 'eiCanceledAvail', { name: 'eiCancelAvail', body: { requestID: '', partyID: this.partyID, availIDs } });
  }

  /** The rules of every market the service runs (GET /markets). */
  async marketRules(): Promise<PublicRules[]> {
    const response = await this.#request('/markets', { method: 'GET' });
    if (response.status !== 200) throw new MicromarketClientError(String(response.status), /"code":"(MM_ERR_\w+)"/.exec(response.text)?.[1], response.text.slice(0, 200));
    return (JSON.parse(response.text) as { markets: PublicRules[] }).markets;
  }

  // ---- transport

  /**
   * Sends a payload to a service and returns the expected response's body. An empty requestID is
   * replaced by a fresh one, which every retry reuses.
   */
  async call<N extends PayloadName>(service: string, expected: N, payload: Payload): Promise<ResponseOf<N>> {
    const body = payload.body as { requestID?: string };
    if (body.requestID === '') body.requestID = randomUUID();
    const xml = this.#pipeline.write(payload);
    const response = await this.#send(`/ei/${service}`, xml);
    const read = this.#pipeline.read(Buffer.from(response));
    const eiResponse = read.name === 'eiResponse' ? read.body : (read.body as { eiResponse?: PayloadBody<'eiResponse'> }).eiResponse;
    if (eiResponse && eiResponse.responseCode !== '200') {
      const description = eiResponse.responseDescription ?? '';
      throw new MicromarketClientError(eiResponse.responseCode, /^(MM_ERR_\w+):/.exec(description)?.[1], description);
    }
    if (read.name !== expected) throw new MicromarketClientError('500', undefined, `expected ${expected}, got ${read.name}`);
    return read.body as ResponseOf<N>;
  }

  async #send(path: string, xml: string): Promise<string> {
    const { status, text } = await this.#request(path, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    if (status !== 200) {
      const description = /<(?:\w+:)?responseDescription>([^<]*)</.exec(text)?.[1] ?? text.slice(0, 200);
      throw new MicromarketClientError(String(status), /^(MM_ERR_\w+):/.exec(description)?.[1], description);
    }
    return text;
  }

  /** One request with the bearer token, retried on transport failures and 5xx, the token renewed once on 401. */
  async #request(path: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
    const doFetch = this.#options.fetch ?? fetch;
    const attempts = this.#options.attempts ?? 3;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(new URL(path, this.#options.baseUrl), { ...init, headers: { ...init.headers, authorization: `Bearer ${await this.#bearer()}` } });
      } catch (error) {
        if (error instanceof MicromarketClientError) throw error;
        if (attempt >= attempts) throw new MicromarketClientError('503', undefined, `service unreachable: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      const text = await res.text();
      if (res.status === 401 && (this.#options.credentials || this.#options.tokenSource) && !refreshed) {
        this.#token = undefined; // expired or revoked: get a new one once
        refreshed = true;
        continue;
      }
      if (res.status >= 500 && attempt < attempts) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      return { status: res.status, text };
    }
  }

  async #bearer(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    if (this.#options.tokenSource) {
      const { token, expiresInSeconds } = await this.#options.tokenSource();
      this.#token = { value: token, until: Date.now() + (expiresInSeconds - 30) * 1000 };
      return token;
    }
    const credentials = this.#options.credentials;
    if (!credentials) throw new MicromarketClientError('401', 'MM_ERR_AUTH_MISSING', 'no token and no client credentials');
    const res = await (this.#options.fetch ?? fetch)(new URL('/oauth/token', this.#options.baseUrl), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }),
    });
    const answer = await res.json() as { access_token?: string; expires_in?: number; error_description?: string };
    if (!res.ok || !answer.access_token) throw new MicromarketClientError(String(res.status), 'MM_ERR_AUTH_CLIENT', answer.error_description ?? 'token refused');
    this.#token = { value: answer.access_token, until: Date.now() + ((answer.expires_in ?? 60) - 30) * 1000 };
    return answer.access_token;
  }
}
