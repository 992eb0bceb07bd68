/**
 * The hostile-input property (issue 21, item 11), shared by the test in `npm test` (fixed seed, capped
 * at 45 s) and the longer run `npm run fuzz` (docs/security.md#hostile-input-property). Every payload a
 * party sends, as the payload codecs write it, has one to three of its values (element text or
 * attributes) replaced by hostile ones: wrong types, extremes, durations with no fixed length,
 * unknown time zones, huge strings, reserved characters in IDs, XML's own specials. Each request must
 * be answered within 10 s, never with a 5xx, in a form that passes the schemas, with a reason on every
 * refusal; and the party's next valid requests must still succeed.
 */
import fc from 'fast-check';
import { eiAvail } from '../../src/ei/services/ei-avail.js';
import { eiEnroll } from '../../src/ei/services/ei-enroll.js';
import { eiMarketContext } from '../../src/ei/services/ei-market-context.js';
import { eiQuote } from '../../src/ei/services/ei-quote.js';
import { eiRegisterParty } from '../../src/ei/services/ei-register-party.js';
import { eiTender } from '../../src/ei/services/ei-tender.js';
import { eiTransaction } from '../../src/ei/services/ei-transaction.js';
import type { EiService } from '../../src/ei/operation.js';
import type { OadrHandlers } from '../../src/openadr/handlers.js';
import { eventing } from '../../src/openadr/events.js';
import { opting } from '../../src/openadr/opt.js';
import { polling } from '../../src/openadr/poll.js';
import { registration } from '../../src/openadr/registration.js';
import { reporting } from '../../src/openadr/reports.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import type { Payload, PayloadName } from '../../src/xml/payloads/index.js';
import { targetOf, type OadrMessage } from '../../src/xml/payloads/oadr.js';
import { oadrSamples, samples } from '../support/samples.js';
import { schemaSet } from '../support/schemas.js';

export const pipeline = new XmlPipeline(schemaSet());

/** A request a party may send: where it goes and the document the codecs write for it. */
export interface Target {
  readonly name: string;
  readonly path: string;
  readonly xml: string;
}

const eiServices: readonly EiService[] = [eiRegisterParty, eiEnroll, eiMarketContext, eiQuote, eiTender, eiTransaction, eiAvail];
const oadrServices: Record<string, OadrHandlers> = { EiRegisterParty: registration, EiEvent: eventing, EiReport: reporting, EiOpt: opting, OadrPoll: polling };

/**
 * Every payload a party sends, from the codecs' samples, to the service that takes it, as `party`
 * (its VEN too); and availability that constrains the party's tenders in `market`, where stored
 * input could poison them.
 */
export function targets(party: string, market: string): Target[] {
  const as = (xml: string) => xml.replaceAll('>house-12<', `>${party}<`).replaceAll('>ven-agg-1<', `>${party}<`);
  const ei = eiServices.flatMap((service) => Object.keys(service.operations).map((name) => ({
    name, path: `/ei/${service.name}`, xml: as(pipeline.write({ name, body: samples[name as PayloadName] } as Payload)),
  })));
  const partyWide = { name: 'eiCreateAvail (party-wide)', path: '/ei/EiAvail', xml: as(pipeline.write({ name: 'eiCreateAvail',
    body: { ...samples.eiCreateAvail, avails: samples.eiCreateAvail.avails.map(({ resourceID: _r, ...a }) => ({ ...a, marketContext: market })) } })) };
  const oadr = Object.entries(oadrServices).flatMap(([service, handlers]) => Object.keys(handlers).map((kind) => ({
    name: kind, path: `/OpenADR2/Simple/2.0b/${service}`,
    xml: as(pipeline.write({ name: 'oadrPayload', body: { message: { kind, value: oadrSamples[kind as OadrMessage['kind']] } as OadrMessage } })),
  })));
  const optOut = { name: 'oadrCreateOpt (party-wide)', path: '/OpenADR2/Simple/2.0b/EiOpt', xml: as(pipeline.write({ name: 'oadrPayload', body: { message: {
    kind: 'oadrCreateOpt', value: { ...oadrSamples.oadrCreateOpt, marketContext: market, qualifiedEventID: undefined, target: targetOf({}) } } as OadrMessage } })) };
  return [...ei, partyWide, ...oadr, optOut];
}

/** A long run of one character, written short in a counterexample. */
class Run {
  constructor(readonly c: string, readonly n: number) {}
  toString(): string {
    return this.c.repeat(this.n);
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.c)}×${this.n}`;
  }
}
const huge = (n: number) => fc.constantFrom('x', 'é', '/', ' ', '9').map((c) => new Run(c, n));
const durations = ['P1M', 'P1Y', 'P99999999Y', 'P99999999D', 'PT99999999999999999999S', '-PT1H', 'PT0S', 'P1W2D', 'P', 'PT', 'P3653D'];
const zones = ['Mars/Olympus_Mons', 'Etc/GMT+99', '../../etc/passwd', 'America/New York', '', 'UTC ', 'europe/amsterdam'];
const numbers = ['1e308', '-1e308', '1e309', 'NaN', 'INF', '-INF', '1e-400', '99999999999999999999999999', '-0', '0x10', '1,5', '١٢', '-1', '0'];
const instants = ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-02-30T00:00:00Z', '2026-11-23T25:00:00Z', '-2026-11-23T00:00:00Z',
  '2026-11-23T17:00:00+14:00', '2026-11-23T17:00:00.123456789Z', '+275760-09-13T00:00:00Z', '2026-11-23T17:00:00'];
const ids = ['pb/x', 'a%2Fb', '__proto__', 'constructor', 'hasOwnProperty', 'house-12/../house-14', 'opt:opt-1:0:0', 'feeder-7-1',
  'home-99999999', 'operator', 'micromarket', 'intertie:home', '\u202Eevil', '😀', 'a b', ' x ', '', 'house-14', 'ven-agg-2'];
const recurrence = ['SECONDLY', 'MINUTELY', 'HOURLY', 'YEARLY', 'XX', '5FR', '53MO', '0', '13', '32', '-366', '367', '60', '1000', '1000000000', '100001'];
const words = ['true ', 'yes', '2', 'sell', 'buy ', 'optIn', 'BUSY-FREE', 'priceRelative', 'always', 'never', 'x-custom'];
const markup = ['<', '&amp;', '&#0;', '&#xD800;', ']]>', '&lt;x/&gt;', '<![CDATA[x]]>', '<x/>', '&unknown;', '"', "'"];

/** Values that break what the schema expects of an element, by the kind of value it holds (the same list for the same kind). */
function valuesFor(element: string): readonly string[] {
  if (/duration|Period|startafter|granularity|PollFreq|Notification|RampUp|Recovery/i.test(element)) return durations;
  if (/date|until|dtstart|dtend|time/i.test(element)) return instants;
  if (/ID$|^uid$|marketContext/.test(element)) return ids;
  if (/^(value|quantity|price|priceMultiplier|priceRelative|payloadFloat|hertz|voltage|replyLimit|modificationNumber|confidence|accuracy)$/.test(element)) return numbers;
  if (/^(freq|byday|bymonthday|byyearday|byweekno|bymonth|bysetpos|byhour|byminute|bysecond|interval|count|wkst)$/.test(element)) return recurrence;
  if (element === 'text') return zones;
  return words;
}

/** Values a hostile party puts anywhere. */
export const hostileValue: fc.Arbitrary<string | Run> = fc.oneof(
  fc.constantFrom(...durations, ...zones, ...numbers, ...instants, ...ids, ...recurrence, ...words, ...markup),
  huge(129), huge(1025), huge(200_000),
  fc.string({ maxLength: 40 }),
  fc.integer().map(String),
  fc.double().map(String),
);

/** The positions of a document's values, element text (between tags) and attribute values, with the name of what holds each. */
function valueSpans(xml: string): Array<[from: number, to: number, holder: string]> {
  const spans: Array<[number, number, string]> = [];
  for (const m of xml.matchAll(/<(?:[\w-]+:)?([\w-]+)[^<>]*>([^<]+)</g)) {
    if (m[2]!.trim() !== '') spans.push([m.index + m[0].length - 1 - m[2]!.length, m.index + m[0].length - 1, m[1]!]);
  }
  for (const m of xml.matchAll(/ (?:[\w-]+:)?([\w.-]+)="([^"]*)"/g)) {
    if (!m[0].startsWith(' xmlns')) spans.push([m.index + m[0].length - 1 - m[2]!.length, m.index + m[0].length - 1, m[1]!]);
  }
  return spans;
}

/**
 * One value to replace: the `at`th (over the kinds of value the document holds, then over the values
 * of that kind, so a document's few durations are hit as often as its many IDs), with a value fitted
 * to its kind (`fitted`: which) or `any`.
 */
export interface Change {
  readonly at: number;
  readonly fitted: number | undefined;
  readonly any: string | Run;
}

/** The document with the chosen values replaced. */
export function mutate(xml: string, changes: readonly Change[]): string {
  const spans = valueSpans(xml);
  const kinds = [...new Set(spans.map(([, , holder]) => valuesFor(holder)))];
  const chosen = new Map(changes.map((c) => {
    const kind = kinds[c.at % kinds.length]!;
    const ofKind = spans.map((s, i) => [s, i] as const).filter(([[, , holder]]) => valuesFor(holder) === kind);
    const [, index] = ofKind[Math.floor(c.at / kinds.length) % ofKind.length]!;
    return [index, c.fitted === undefined ? String(c.any) : kind[c.fitted % kind.length]!] as const;
  }));
  let out = xml;
  for (const i of [...chosen.keys()].sort((a, b) => b - a)) {
    const [from, to] = spans[i]!;
    out = out.slice(0, from) + chosen.get(i)! + out.slice(to);
  }
  return out;
}

/** A request: a target, and one to three values to replace. */
export const hostileRequest = (all: readonly Target[]) => fc.record({
  target: fc.constantFrom(...all.map((t) => t.name)),
  changes: fc.array(fc.record({ at: fc.nat(), fitted: fc.option(fc.nat(), { freq: 4, nil: undefined }), any: hostileValue }), { minLength: 1, maxLength: 3 }),
});
