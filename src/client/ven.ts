/**
 * An OpenADR 2.0b VEN of micromarket, pull mode: registration, polling, answering events, telemetry
 * reports and opts, over the service's OpenADR endpoints. What a poll brings that the VEN must
 * answer on its own (the VTN's report offer and requests, reregistration) is answered here; events
 * are handed to the caller, who decides to opt in or out.
 */
import { randomUUID } from 'node:crypto';
import { durationOfMillis, durationToMillis } from '../calendar/duration.js';
import { NOMINAL_GRID, type PowerAttributes } from '../emix/product.js';
import { targetOf, type OadrMessage, type OadrMessageOf } from '../xml/payloads/oadr.js';
import { MicromarketClientError } from './errors.js';
import { clientPipeline, Transport, type TransportOptions } from './transport.js';
import { ok } from '../xml/payloads/index.js';

export interface VenOptions extends TransportOptions {
  /** The VEN's party: its venID. */
  readonly venID: string;
  readonly venName?: string;
}

/** An event as the VEN reads it: its interval and the values micromarket's signals carry. */
export interface VenEvent {
  readonly eventID: string;
  readonly modificationNumber: number;
  readonly marketContext: string;
  readonly status: string;
  readonly dtstart: number;
  readonly durationMs: number;
  /** The price signal's value (currency per kWh for power markets). */
  readonly price?: number;
  /** The SIMPLE level, 0 to 3. */
  readonly level?: number;
  /** LOAD_DISPATCH: the VEN's own position (positive: consume). */
  readonly dispatch?: number;
}

/** A telemetry point the VEN offers (oadrRegisterReport). */
export interface ReportPoint {
  readonly rID: string;
  readonly resourceID?: string;
  readonly reportType: string;
  readonly readingType: string;
  /** Set for power points: readings in W at this scale. */
  readonly powerScale?: 'none' | 'k';
  /** The grid a power point measures (OpenADR requires it on power items). @default 50 Hz, 230 V AC */
  readonly powerAttributes?: PowerAttributes;
  /** How often the VEN can sample it. */
  readonly samplingMs: number;
}

export interface ReportOffer {
  readonly reportSpecifierID: string;
  readonly reportName: 'METADATA_TELEMETRY_STATUS' | 'METADATA_TELEMETRY_USAGE';
  readonly points: readonly ReportPoint[];
}

/** What the VTN asked the VEN to report: these rIDs, every `granularityMs`. */
export interface ReportRequest {
  readonly reportRequestID: string;
  readonly reportSpecifierID: string;
  readonly rIDs: readonly string[];
  readonly granularityMs: number;
}

/** One reading: a number, or a resource's status. */
export type ReportReading = number | { readonly online: boolean; readonly manualOverride: boolean };

type EventsAnswer = Array<{ eventID: string; modificationNumber: number }>;

const SERVICES = { registration: 'EiRegisterParty', event: 'EiEvent', report: 'EiReport', opt: 'EiOpt', poll: 'OadrPoll' } as const;

export class OpenAdrVen {
  readonly venID: string;
  registrationID: string | undefined;
  /** What the VTN asks: oadrRequestedOadrPollFreq. */
  pollFrequencyMs = 10_000;
  /** The VTN's current requests for this VEN's reports, by reportRequestID. */
  readonly requests = new Map<string, ReportRequest>();
  readonly #transport: Transport;
  #offers: readonly ReportOffer[] = [];

  constructor(private readonly options: VenOptions) {
    this.venID = options.venID;
    this.#transport = new Transport(options);
  }

  /** Registers for pull (or registers again, keeping the registrationID). */
  async register(): Promise<void> {
    const answer = await this.#send(SERVICES.registration, { kind: 'oadrCreatePartyRegistration', value: {
      requestID: randomUUID(), ...(this.registrationID ? { registrationID: this.registrationID } : {}), venID: this.venID, profileName: '2.0b',
      transportName: 'simpleHttp', reportOnly: false, xmlSignature: false, venName: this.options.venName ?? this.venID, httpPullModel: true,
    } }, 'oadrCreatedPartyRegistration');
    this.registrationID = answer.registrationID;
    if (answer.pollFrequency) this.pollFrequencyMs = durationToMillis(answer.pollFrequency);
  }

  /** Offers telemetry; the VTN's requests are confirmed (oadrCreatedReport) and kept in `requests`, replacing earlier ones. */
  async registerReports(offers: readonly ReportOffer[], now = Date.now()): Promise<void> {
    this.#offers = offers;
    const answer = await this.#send(SERVICES.report, { kind: 'oadrRegisterReport', value: {
      requestID: randomUUID(), venID: this.venID, reportRequestID: '0',
      reports: offers.map((offer) => ({
        reportSpecifierID: offer.reportSpecifierID, reportName: offer.reportName, reportRequestID: '0', createdDateTime: now,
        descriptions: offer.points.map((p) => ({
          rID: p.rID, reportType: p.reportType, readingType: p.readingType,
          ...(p.resourceID !== undefined ? { dataSource: targetOf({ resourceIDs: [p.resourceID] }) } : {}),
          ...(p.powerScale ? { item: { kind: 'powerReal' as const, value: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: p.powerScale, powerAttributes: p.powerAttributes ?? NOMINAL_GRID } } } : {}),
          samplingRate: { minPeriod: durationOfMillis(p.samplingMs), maxPeriod: durationOfMillis(p.samplingMs), onChange: false },
        })),
      })),
    } }, 'oadrRegisteredReport');
    this.requests.clear(); // a new registration of reports supersedes what was asked of the old one
    await this.#take(answer.requests);
  }

  /**
   * Polls once. A distribute is read into events and returned for the caller to answer; what else
   * the VTN sent is answered here ('handled': poll again for more); 'idle' when nothing waits.
   */
  async poll(): Promise<VenEvent[] | 'handled' | 'idle'> {
    const message = await this.#exchange(SERVICES.poll, { kind: 'oadrPoll', value: { venID: this.venID } });
    switch (message.kind) {
      case 'oadrDistributeEvent': return message.value.events.map(({ event }) => eventOf(event));
      case 'oadrRegisterReport': // the VTN's own report: this VEN asks for none of it
        await this.#send(SERVICES.report, { kind: 'oadrRegisteredReport', value: { eiResponse: ok(message.value.requestID), requests: [], venID: this.venID } }, 'oadrResponse');
        return 'handled';
      case 'oadrCreateReport':
        await this.#take(message.value.requests);
        return 'handled';
      case 'oadrCancelReport':
        for (const id of message.value.reportRequestIDs) this.requests.delete(id);
        await this.#send(SERVICES.report, { kind: 'oadrCanceledReport', value: { eiResponse: ok(message.value.requestID), pending: [], venID: this.venID } }, 'oadrResponse');
        return 'handled';
      case 'oadrRequestReregistration':
        await this.#send(SERVICES.registration, { kind: 'oadrResponse', value: { eiResponse: ok(''), venID: this.venID } }, 'oadrResponse');
        await this.register();
        await this.registerReports(this.#offers);
        return 'handled';
      default: return 'idle';
    }
  }

  /** All the VEN's live events now (oadrRequestEvent), as after a restart: a poll brings only changes. */
  async requestEvents(): Promise<VenEvent[]> {
    const distribute = await this.#send(SERVICES.event, { kind: 'oadrRequestEvent', value: { requestID: randomUUID(), venID: this.venID } }, 'oadrDistributeEvent');
    return distribute.events.map(({ event }) => eventOf(event));
  }

  /** Answers events (oadrCreatedEvent): opted in or out, at their modificationNumbers. */
  async answer(events: EventsAnswer, optType: 'optIn' | 'optOut'): Promise<void> {
    if (events.length === 0) return;
    const requestID = randomUUID();
    await this.#send(SERVICES.event, { kind: 'oadrCreatedEvent', value: { eiResponse: ok(requestID), venID: this.venID,
      eventResponses: events.map(({ eventID, modificationNumber }) => ({ responseCode: '200', requestID, qualifiedEventID: { eventID, modificationNumber }, optType })) } }, 'oadrResponse');
  }

  /** Sends readings for one of the VTN's requests, one interval of its granularity starting at `dtstart`. */
  async report(request: ReportRequest, dtstart: number, readings: ReadonlyMap<string, ReportReading>, now = Date.now()): Promise<void> {
    const payloads = request.rIDs.filter((rID) => readings.has(rID)).map((rID) => {
      const reading = readings.get(rID)!;
      return { rID, value: typeof reading === 'number'
        ? { kind: 'payloadFloat' as const, value: reading }
        : { kind: 'oadrPayloadResourceStatus' as const, value: { online: reading.online, manualOverride: reading.manualOverride } } };
    });
    if (payloads.length === 0) return;
    const reportName = this.#offers.find((o) => o.reportSpecifierID === request.reportSpecifierID)?.reportName.replace('METADATA_', '');
    await this.#send(SERVICES.report, { kind: 'oadrUpdateReport', value: { requestID: randomUUID(), venID: this.venID, reports: [{
      dtstart, duration: durationOfMillis(request.granularityMs), descriptions: [],
      intervals: [{ dtstart, duration: durationOfMillis(request.granularityMs), uid: '0', payloads }],
      eiReportID: `${request.reportRequestID}-${dtstart}`, reportRequestID: request.reportRequestID, reportSpecifierID: request.reportSpecifierID,
      ...(reportName ? { reportName } : {}), createdDateTime: now,
    }] } }, 'oadrUpdatedReport');
  }

  /** Opts resources out of (or back into) one event: oadrCreateOpt with its qualifiedEventID. */
  async optForEvent(optID: string, optType: 'optIn' | 'optOut', reason: string, event: { eventID: string; modificationNumber: number }, resourceIDs: readonly string[], now = Date.now()): Promise<void> {
    await this.#send(SERVICES.opt, { kind: 'oadrCreateOpt', value: {
      optID, optType, optReason: reason, venID: this.venID, createdDateTime: now, requestID: randomUUID(),
      qualifiedEventID: { eventID: event.eventID, modificationNumber: event.modificationNumber }, target: targetOf({ resourceIDs: [...resourceIDs] }),
    } }, 'oadrCreatedOpt');
  }

  async cancelOpt(optID: string): Promise<void> {
    await this.#send(SERVICES.opt, { kind: 'oadrCancelOpt', value: { requestID: randomUUID(), optID, venID: this.venID } }, 'oadrCanceledOpt');
  }

  async #take(requests: ReadonlyArray<OadrMessageOf<'oadrCreateReport'>['requests'][number]>): Promise<void> {
    for (const r of requests) {
      this.requests.set(r.reportRequestID, { reportRequestID: r.reportRequestID, reportSpecifierID: r.specifier.reportSpecifierID,
        rIDs: r.specifier.payloads.map((p) => p.rID), granularityMs: durationToMillis(r.specifier.granularity) });
    }
    if (requests.length === 0) return;
    await this.#send(SERVICES.report, { kind: 'oadrCreatedReport', value: { eiResponse: ok(randomUUID()), pending: requests.map((r) => r.reportRequestID), venID: this.venID } }, 'oadrResponse');
  }

  /** Sends a message and returns the answer of the expected kind; a refusal (responseCode ≠ 200) throws. */
  async #send<K extends OadrMessage['kind']>(service: string, message: OadrMessage, expected: K): Promise<OadrMessageOf<K>> {
    const answer = await this.#exchange(service, message);
    if (answer.kind !== expected) throw new MicromarketClientError('500', undefined, `expected ${expected}, got ${answer.kind}`);
    return answer.value as OadrMessageOf<K>;
  }

  /**
   * One request and its answer. OpenADR answers everything with HTTP 200, a refused token too
   * (responseCode 401): that gets a new token once, as a 401 status does for the EI client.
   */
  async #exchange(service: string, message: OadrMessage, renewed = false): Promise<OadrMessage> {
    const pipeline = clientPipeline();
    const text = await this.#transport.postXml(`/OpenADR2/Simple/2.0b/${service}`, pipeline.write({ name: 'oadrPayload', body: { message } }));
    const read = pipeline.read(Buffer.from(text));
    if (read.name !== 'oadrPayload') throw new MicromarketClientError('500', undefined, `expected oadrPayload, got ${read.name}`);
    const answer = read.body.message;
    const eiResponse = 'eiResponse' in answer.value ? answer.value.eiResponse : undefined;
    if (eiResponse?.responseCode === '401' && !renewed && this.#transport.renewable) {
      this.#transport.forgetToken();
      return this.#exchange(service, message, true);
    }
    if (eiResponse && eiResponse.responseCode !== '200') {
      const description = eiResponse.responseDescription ?? '';
      throw new MicromarketClientError(eiResponse.responseCode, /^(MM_ERR_\w+):/.exec(description)?.[1], description);
    }
    return answer;
  }
}

function eventOf(event: OadrMessageOf<'oadrDistributeEvent'>['events'][number]['event']): VenEvent {
  const { descriptor, activePeriod, signals } = event;
  const value = (test: (s: (typeof signals.signals)[number]) => boolean) => signals.signals.find(test)?.intervals[0]?.values[0];
  const price = value((s) => s.signalType === 'price');
  const level = value((s) => s.signalName === 'SIMPLE');
  const dispatch = value((s) => s.signalName === 'LOAD_DISPATCH');
  const { dtstart, duration } = activePeriod.properties;
  return {
    eventID: descriptor.eventID, modificationNumber: descriptor.modificationNumber, marketContext: descriptor.marketContext.marketContext,
    status: descriptor.eventStatus, dtstart: dtstart ?? 0, durationMs: duration ? durationToMillis(duration) : 0,
    ...(price !== undefined ? { price } : {}), ...(level !== undefined ? { level } : {}), ...(dispatch !== undefined ? { dispatch } : {}),
  };
}
