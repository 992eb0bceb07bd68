import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postOadr, responseCode as code } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * The OpenADR VTN endpoints over real HTTP, driven by the bytes a real VEN sent (its venID replaced
 * by the party its token names). Every reply is read with the pipeline, so it is schema-valid.
 */
const transcript = (file: string) => readFileSync(new URL(`../fixtures/openadr/transcript/${file}`, import.meta.url), 'utf8');
let ts: TestService;
let token: string;

const post = (service: string, body: string, bearer: string | null = token) => postOadr(ts.base, service, body, bearer);
const ours = (xml: string) => xml.replaceAll('VEN_ID_0001', 'ven-1');

beforeAll(async () => {
  ts = await testService();
  token = await ts.service.context.tokens.issue('ven-1', ['register'], Date.now(), 3600);
});
afterAll(() => ts.close());

describe('a VEN registers, polls and leaves', () => {
  let registrationID = '';

  it('is told what the VTN offers before it registers', async () => {
    const answer = await post('EiRegisterParty', transcript('01-ven-oadrQueryRegistration.xml'));
    expect(answer).toEqual({ kind: 'oadrCreatedPartyRegistration', value: expect.objectContaining({
      vtnID: 'MICROMARKET_VTN', pollFrequency: expect.objectContaining({ seconds: 10 }),
      profiles: { profiles: [{ profileName: '2.0b', transports: { transports: [{ transportName: 'simpleHttp' }] } }] } }) });
    expect(answer.value).not.toHaveProperty('registrationID');
    expect(code(answer)).toBe('200');
  });

  it('registers with the message a real VEN sent (transport address None, pull model)', async () => {
    const answer = await post('EiRegisterParty', transcript('03-ven-oadrCreatePartyRegistration.xml'));
    expect(answer.kind).toBe('oadrCreatedPartyRegistration');
    if (answer.kind !== 'oadrCreatedPartyRegistration') return;
    expect(answer.value).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'bf314599-8438-41b9-86a4-c7252b037500' },
      venID: 'ven-1', vtnID: 'MICROMARKET_VTN' });
    registrationID = answer.value.registrationID!;
    expect(registrationID).toMatch(/^reg-ven-1-/);
    const party = await ts.service.context.store.get('parties', 'ven-1');
    expect(party).toMatchObject({ partyName: 'interop-ven-1', oadr: { httpPullModel: true, profileName: '2.0b' } });
    expect(party).not.toHaveProperty('transportAddress');
  });

  it('keeps its registrationID when it registers again, and the query now shows it', async () => {
    const again = await post('EiRegisterParty', transcript('03-ven-oadrCreatePartyRegistration.xml'));
    expect(again.value).toMatchObject({ registrationID, venID: 'ven-1' });
    expect((await post('EiRegisterParty', transcript('01-ven-oadrQueryRegistration.xml'))).value).toMatchObject({ registrationID, venID: 'ven-1' });
  });

  it('polls and is told nothing is pending', async () => {
    expect(await post('OadrPoll', ours(transcript('13-ven-oadrPoll.xml')))).toEqual({ kind: 'oadrResponse',
      value: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: '' }, venID: 'ven-1' } });
  });

  it("cannot poll as another VEN, or register under another VEN's ID", async () => {
    const poll = await post('OadrPoll', transcript('13-ven-oadrPoll.xml'));
    expect(poll.kind).toBe('oadrResponse');
    expect(code(poll)).toBe('403');
    const registration = transcript('03-ven-oadrCreatePartyRegistration.xml').replace('<oadr:oadrProfileName>', '<ei:venID>ven-2</ei:venID><oadr:oadrProfileName>');
    expect(code(await post('EiRegisterParty', registration))).toBe('403');
  });

  it('refuses a cancel that names another registration (452), then cancels its own', async () => {
    const cancel = (id: string) => `<?xml version="1.0" encoding="utf-8"?>
<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110"
  xmlns:pyld="http://docs.oasis-open.org/ns/energyinterop/201110/payloads"><oadr:oadrSignedObject>
<oadr:oadrCancelPartyRegistration ei:schemaVersion="2.0b"><pyld:requestID>c-1</pyld:requestID><ei:registrationID>${id}</ei:registrationID>
<ei:venID>ven-1</ei:venID></oadr:oadrCancelPartyRegistration></oadr:oadrSignedObject></oadr:oadrPayload>`;
    expect(code(await post('EiRegisterParty', cancel('reg-other')))).toBe('452');
    expect(await post('EiRegisterParty', cancel(registrationID))).toEqual({ kind: 'oadrCanceledPartyRegistration',
      value: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: 'c-1' }, registrationID, venID: 'ven-1' } });
    expect(code(await post('OadrPoll', ours(transcript('13-ven-oadrPoll.xml'))))).toBe('463');
    expect(code(await post('EiRegisterParty', cancel(registrationID)))).toBe('463');
  });
});

describe('what the VTN refuses, always as oadrResponse with HTTP 200', () => {
  it('a request without credentials (401)', async () => {
    expect(code(await post('OadrPoll', ours(transcript('13-ven-oadrPoll.xml')), null))).toBe('401');
  });

  it('a message sent to the wrong service (459) and an EI payload where an OpenADR one belongs (400)', async () => {
    expect(code(await post('OadrPoll', transcript('01-ven-oadrQueryRegistration.xml')))).toBe('459');
    const bare = /<oadr:oadrPoll[\s\S]*<\/oadr:oadrPoll>/.exec(transcript('13-ven-oadrPoll.xml'))![0]
      .replace('<oadr:oadrPoll ', '<oadr:oadrPoll xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07" ');
    expect(code(await post('OadrPoll', `<?xml version="1.0"?>\n${bare}`))).toBe('400');
  });

  it('a schema-invalid body (400, with the line) and an unknown service (404)', async () => {
    const invalid = await post('OadrPoll', transcript('13-ven-oadrPoll.xml').replace(/<ei:venID>[^<]*<\/ei:venID>/, ''));
    expect(code(invalid)).toBe('400');
    expect(invalid.value).toMatchObject({ eiResponse: { responseDescription: expect.stringMatching(/^MM_ERR_XML_INVALID: line 3: /) } });
    expect(code(await post('EiNothing', ours(transcript('13-ven-oadrPoll.xml'))))).toBe('404');
    const broken = await post('EiRegisterParty', transcript('03-ven-oadrCreatePartyRegistration.xml').replace(/<oadr:oadrReportOnly>[^<]*<\/oadr:oadrReportOnly>/, ''));
    expect(broken.value).toMatchObject({ eiResponse: { responseCode: '400', requestID: 'bf314599-8438-41b9-86a4-c7252b037500' } });
  });

  it('a message of another schemaVersion (400, naming the version it speaks), not read as if it were 2.0b', async () => {
    const poll = ours(transcript('13-ven-oadrPoll.xml'));
    expect(code(await post('OadrPoll', poll))).not.toBe('400');
    for (const version of ['3.0', '2.0a', '']) {
      const answer = await post('OadrPoll', poll.replace('schemaVersion="2.0b"', `schemaVersion="${version}"`));
      expect(code(answer), version).toBe('400');
      expect(answer.value).toMatchObject({ eiResponse: { responseDescription: expect.stringContaining(`The value '${version}' is not an element of the set {'2.0b'}`) } });
    }
  });

  it('a 2.0a registration: this VTN speaks 2.0b', async () => {
    const answer = await post('EiRegisterParty', transcript('03-ven-oadrCreatePartyRegistration.xml').replace('>2.0b</oadr:oadrProfileName>', '>2.0a</oadr:oadrProfileName>'));
    expect(code(answer)).toBe('454');
  });
});
