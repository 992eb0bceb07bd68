import { randomUUID } from 'node:crypto';
import type { Availability } from '../calendar/availability.js';
import type { Product } from '../emix/product.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { Payload, PayloadBody, PayloadName } from '../xml/payloads/index.js';
import type { PublicRules } from '../terms/public-rules.js';
import { MicromarketClientError } from './errors.js';
import { clientPipeline, Transport, type TransportOptions } from './transport.js';

export interface ClientOptions extends TransportOptions {
  /** The party the client acts for. */
  readonly partyID: string;
}

type ResponseOf<N extends PayloadName> = PayloadBody<N>;

/** Typed access to micromarket's EI services. Every method throws MicromarketClientError on a refusal. */
export class MicromarketClient {
  readonly partyID: string;
  readonly #transport: Transport;
  readonly #pipeline: XmlPipeline;

  constructor(options: ClientOptions) {
    this.partyID = options.partyID;
    this.#transport = new Transport(options);
    this.#pipeline = clientPipeline();
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
    const response = await this.#transport.request('/markets', { method: 'GET' });
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
    const response = await this.#transport.postXml(`/ei/${service}`, xml);
    const read = this.#pipeline.read(Buffer.from(response));
    const eiResponse = read.name === 'eiResponse' ? read.body : (read.body as { eiResponse?: PayloadBody<'eiResponse'> }).eiResponse;
    if (eiResponse && eiResponse.responseCode !== '200') {
      const description = eiResponse.responseDescription ?? '';
      throw new MicromarketClientError(eiResponse.responseCode, /^(MM_ERR_\w+):/.exec(description)?.[1], description);
    }
    if (read.name !== expected) throw new MicromarketClientError('500', undefined, `expected ${expected}, got ${read.name}`);
    return read.body as ResponseOf<N>;
  }
}
