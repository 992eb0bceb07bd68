import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { payloads, type Payload } from '../../src/xml/payloads/index.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { writeXml } from '../../src/xml/writer.js';
import { builderWriteXml } from '../support/fxp-writer.js';
import { oadrSamples } from '../support/samples.js';
import { schemaSet, xmllint } from '../support/schemas.js';

const pipeline = new XmlPipeline(schemaSet());
const kinds = Object.keys(oadrSamples) as Array<OadrMessage['kind']>;
const envelope = (kind: OadrMessage['kind']): Payload =>
  ({ name: 'oadrPayload', body: { message: { kind, value: oadrSamples[kind] } } }) as Payload;
const written = kinds.map((kind) => ({ kind, xml: pipeline.write(envelope(kind)) }));
const transcriptDir = new URL('../fixtures/openadr/transcript/', import.meta.url);
const transcript = (file: string) => readFileSync(new URL(file, transcriptDir));
const transcriptFiles = readdirSync(transcriptDir).filter((f) => f.endsWith('.xml')).sort();

describe('OpenADR 2.0b messages: write → validate (both validators) → read → equal', () => {
  it.each(written)('$kind round-trips in its envelope, with ei:schemaVersion="2.0b"', ({ kind, xml }) => {
    expect(xml).toMatch(new RegExp(`<oadr:oadrPayload [^>]*><oadr:oadrSignedObject><oadr:${kind} ei:schemaVersion="2.0b"`));
    expect(pipeline.read(Buffer.from(xml))).toEqual(envelope(kind));
  });

  it('xmllint-wasm agrees that every message we write is valid', async () => {
    const errors = await xmllint(written.map(({ kind, xml }) => ({ name: `${kind}.xml`, xml })));
    expect(Object.fromEntries([...errors].filter(([, e]) => e.length > 0))).toEqual({});
  });

  it.each(kinds)('%s is written byte for byte as XMLBuilder writes it', (kind) => {
    const element = payloads.oadrPayload.encode(envelope(kind).body as never);
    expect(writeXml(element)).toBe(builderWriteXml(element));
  });
});

describe("a real VEN's registration and poll, as micromarket reads them", () => {
  it('reads oadrCreatePartyRegistration with the text None as transport address', () => {
    expect(pipeline.read(transcript('03-ven-oadrCreatePartyRegistration.xml'))).toEqual({ name: 'oadrPayload', body: { message: {
      kind: 'oadrCreatePartyRegistration', value: { requestID: 'bf314599-8438-41b9-86a4-c7252b037500', profileName: '2.0b',
        transportName: 'simpleHttp', transportAddress: 'None', reportOnly: false, xmlSignature: false, venName: 'interop-ven-1',
        httpPullModel: true } } } });
  });

  it('reads oadrQueryRegistration and oadrPoll, whose requestID and venID come in a default namespace', () => {
    expect(pipeline.read(transcript('01-ven-oadrQueryRegistration.xml'))).toEqual({ name: 'oadrPayload',
      body: { message: { kind: 'oadrQueryRegistration', value: { requestID: 'bf314599-8438-41b9-86a4-c7252b037500' } } } });
    expect(pipeline.read(transcript('13-ven-oadrPoll.xml'))).toEqual({ name: 'oadrPayload',
      body: { message: { kind: 'oadrPoll', value: { venID: 'VEN_ID_0001' } } } });
  });

  it("reads the reference VTN's registration answer, poll frequency included", () => {
    const read = pipeline.read(transcript('04-vtn-oadrCreatedPartyRegistration.xml'));
    expect(read).toMatchObject({ body: { message: { kind: 'oadrCreatedPartyRegistration', value: {
      registrationID: 'REG_ID_0001', venID: 'VEN_ID_0001', vtnID: 'MicromarketRefVTN', pollFrequency: { seconds: 2 } } } } });
  });

  it("reads the reference VTN's event and the VEN's opt-in to it", () => {
    const distribute = pipeline.read(transcript('10-vtn-oadrDistributeEvent.xml'));
    expect(distribute).toMatchObject({ body: { message: { kind: 'oadrDistributeEvent', value: { vtnID: 'MicromarketRefVTN', events: [{
      responseRequired: 'always',
      event: {
        descriptor: { eventID: 'af05999e-b0fb-4a11-91da-02c211ec1f7b', modificationNumber: 0, eventStatus: 'far',
          marketContext: { marketContext: 'urn:micromarket:home' }, createdDateTime: Date.parse('2026-11-22T02:13:43.090Z') },
        activePeriod: { properties: { duration: { minutes: 30 } } },
        signals: { signals: [{ signalName: 'ELECTRICITY_PRICE', signalType: 'price',
          intervals: [{ uid: '0', values: [0.12] }, { uid: '1', values: [0.31] }] }] },
        target: { venIDs: ['VEN_ID_0001'] },
      },
    }] } } } });
    expect(pipeline.read(transcript('11-ven-oadrCreatedEvent.xml'))).toMatchObject({ body: { message: { kind: 'oadrCreatedEvent', value: {
      eventResponses: [{ optType: 'optIn', requestID: '22363f66-29cc-4507-aaa4-6864729775a4',
        qualifiedEventID: { eventID: 'af05999e-b0fb-4a11-91da-02c211ec1f7b', modificationNumber: 0 } }],
      venID: 'VEN_ID_0001' } } } });
    expect(pipeline.read(transcript('09-ven-oadrRequestEvent.xml'))).toMatchObject({ body: { message: { kind: 'oadrRequestEvent',
      value: { requestID: 'b509a5cc-21c2-4cbc-86a9-ca0176ec5460', venID: 'VEN_ID_0001' } } } });
  });

  it.each(transcriptFiles)('reads %s into the message it holds', (file) => {
    const kind = /<oadr:oadrSignedObject[^>]*>\s*<oadr:(\w+)/.exec(transcript(file).toString('utf8'))![1];
    expect(pipeline.read(transcript(file))).toMatchObject({ name: 'oadrPayload', body: { message: { kind } } });
  });

  it("reads the VEN's report metadata and telemetry", () => {
    expect(pipeline.read(transcript('05-ven-oadrRegisterReport.xml'))).toMatchObject({ body: { message: { kind: 'oadrRegisterReport', value: {
      venID: 'VEN_ID_0001',
      reports: [{ duration: { hours: 1 }, reportRequestID: '0', reportName: 'METADATA_TELEMETRY_USAGE', descriptions: [{
        rID: 'f2c410a5-6c68-487b-9d91-fd44d1205a8c', dataSource: { resourceIDs: ['device001'] }, reportType: 'reading',
        item: { kind: 'voltage', value: { itemDescription: 'Voltage', itemUnits: 'V', siScaleCode: 'none' } }, readingType: 'Direct Read',
        samplingRate: { minPeriod: { seconds: 10 }, maxPeriod: { seconds: 10 }, onChange: false } }] }] } } } });
    expect(pipeline.read(transcript('19-ven-oadrUpdateReport.xml'))).toMatchObject({ body: { message: { kind: 'oadrUpdateReport', value: {
      reports: [{ reportName: 'TELEMETRY_USAGE', reportRequestID: 'f69fc3ee-3110-4f12-8c41-380e4cf91107', eiReportID: '',
        intervals: [{ payloads: [{ rID: 'f2c410a5-6c68-487b-9d91-fd44d1205a8c', value: { kind: 'payloadFloat', value: 230 } }] }] }] } } } });
    expect(pipeline.read(transcript('07-ven-oadrCreatedReport.xml'))).toMatchObject({ body: { message: { kind: 'oadrCreatedReport',
      value: { pending: ['f69fc3ee-3110-4f12-8c41-380e4cf91107'] } } } });
  });

  it('reads a signed body as the same message, passing over the signature', () => {
    const plain = transcript('13-ven-oadrPoll.xml').toString('utf8');
    const signed = plain.replace('<oadr:oadrSignedObject', '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
      + '<ds:Reference URI="#oadrSignedObject"/></ds:SignedInfo><ds:SignatureValue>c2ln</ds:SignatureValue></ds:Signature><oadr:oadrSignedObject');
    expect(signed).not.toBe(plain);
    expect(pipeline.read(Buffer.from(signed))).toEqual(pipeline.read(Buffer.from(plain)));
  });
});
