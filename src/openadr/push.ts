/**
 * Push delivery, for VENs that registered with oadrHttpPullModel false and a transport address:
 * after each tick their pending distribute (and then their queued messages) is POSTed to
 * `{address}/OpenADR2/Simple/2.0b/{service}` instead of waiting for a poll. An oadrCreatedEvent in
 * the answer is recorded as if the VEN had posted it; a failed delivery stays pending and is
 * tried again a poll period (10 s) later, at most MAX_DELIVERIES times in all.
 */
import type { FastifyBaseLogger } from 'fastify';
import { durationToMillis } from '../calendar/duration.js';
import type { Instant } from '../calendar/instant.js';
import { collections, type PartyRecord } from '../host/records.js';
import { postXml } from '../http/outbound.js';
import { handled, type OadrServices } from './handlers.js';
import { ifUnchanged } from '../store/store.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { currentEvents, distribute, eventing } from './events.js';
import { MAX_DELIVERIES } from './poll.js';
import { dequeue } from './queue.js';
import { POLL_FREQUENCY } from './vtn.js';
import { oadrCollections } from './records.js';

/** The endpoint of the VEN's service a VTN-initiated message goes to. */
const SERVICE_OF: Partial<Record<OadrMessage['kind'], string>> = {
  oadrDistributeEvent: 'EiEvent', oadrRequestReregistration: 'EiRegisterParty', oadrCancelPartyRegistration: 'EiRegisterParty',
  oadrRegisterReport: 'EiReport', oadrUpdateReport: 'EiReport',
};

const RETRY_AFTER = durationToMillis(POLL_FREQUENCY);

export class Pusher {
  readonly #context: OadrServices;

  constructor(context: OadrServices, private readonly pipeline: XmlPipeline, private readonly log: FastifyBaseLogger, private readonly timeoutMs = 2000) {
    this.#context = context;
  }

  /** Delivers what waits for push VENs; failures are logged and retried, never thrown. */
  async push(now: Instant): Promise<void> {
    for (const [key] of await oadrCollections.pushVens.list(this.#context.store)) {
      const party = await collections.parties.get(this.#context.store, oadrCollections.pushVens.parts(key));
      if (!party?.oadr || party.oadr.httpPullModel || party.cancelled || !party.transportAddress) continue;
      await this.pushTo(party, party.transportAddress, now);
    }
  }

  private async pushTo(party: PartyRecord, address: string, now: Instant): Promise<void> {
    const venID = party.partyID;
    const flag = await oadrCollections.pendingDistributes.get(this.#context.store, [venID]);
    const pending = flag;
    // A failed delivery is tried again a poll period later, as a pull VEN would ask again.
    if (pending && (pending.lastTry === undefined || now - pending.lastTry >= RETRY_AFTER)) {
      const events = await currentEvents(this.#context.store, venID, now);
      const sent = events.length > 0 && await this.send(address, venID, distribute(this.#context.host, events, `push-${now}`, now), now);
      const deliveries = pending.deliveries + 1;
      // Only the flag read before sending: one set meanwhile, for events not in this distribute, stays.
      await this.#context.store.commit([ifUnchanged(sent || events.length === 0 || deliveries >= MAX_DELIVERIES
        ? oadrCollections.pendingDistributes.del([venID]) : oadrCollections.pendingDistributes.put([venID], { ...pending, deliveries, lastTry: now }), flag)]);
    }
    for (let queued = await dequeue(this.#context.store, venID); queued; queued = await dequeue(this.#context.store, venID)) {
      if (!await this.send(address, venID, queued.message, now)) return;
      await this.#context.store.commit([queued.remove]);
    }
  }

  /** POSTs one message; records an oadrCreatedEvent answer. Whether the VEN took it. */
  private async send(address: string, venID: string, message: OadrMessage, now: Instant): Promise<boolean> {
    const url = `${address.replace(/\/$/, '')}/OpenADR2/Simple/2.0b/${SERVICE_OF[message.kind] ?? 'EiEvent'}`;
    try {
      const res = await postXml(url, this.pipeline.write({ name: 'oadrPayload', body: { message } }), this.timeoutMs);
      if (res.status !== 200) {
        this.log.warn({ ven: venID, status: res.status }, 'push VEN did not take the message');
        return false;
      }
      await this.record(venID, res.text, now);
      return true;
    } catch (error) {
      this.log.warn({ ven: venID, err: (error as Error).message }, 'push VEN could not be reached');
      return false;
    }
  }

  /** The VEN's answer to a pushed distribute, when it is an oadrCreatedEvent, is taken as if posted to EiEvent. */
  private async record(venID: string, text: string, now: Instant): Promise<void> {
    try {
      const answer = text ? this.pipeline.read(Buffer.from(text)) : undefined;
      const message = answer?.name === 'oadrPayload' ? answer.body.message : undefined;
      if (message?.kind !== 'oadrCreatedEvent') return;
      const principal = { partyID: venID, scopes: new Set(['register'] as const) };
      await handled(this.#context.host, (work) => eventing.oadrCreatedEvent!(message.value, { ...this.#context, principal, now, work }));
    } catch (error) {
      this.log.warn({ ven: venID, err: (error as Error).message }, 'push VEN answered with a message that was refused');
    }
  }
}
