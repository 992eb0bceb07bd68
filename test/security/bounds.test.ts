import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from '../support/schemas.js';
import { testService, type TestService } from '../support/service.js';

/**
 * Every identifier and text field has a bound (docs/xml.md#bounds), so no request field grows what
 * the service keeps or answers (issue 21, item 9: 0.9 MB requestIDs kept 1.7 MiB of state each).
 */
const pipeline = new XmlPipeline(schemaSet());
const fixture = readFileSync(new URL('../fixtures/valid/eiCreateTender.xml', import.meta.url), 'utf8')
  .replace('<ei:partyID>house-12</ei:partyID>', '<ei:partyID>bounded</ei:partyID>')
  .replace('urn:micromarket:home', 'urn:micromarket:feeder-7');
let ts: TestService;
let token: string;

beforeAll(async () => {
  ts = await testService();
  await ts.enrollApproved(await ts.party('bounded'), 'urn:micromarket:feeder-7');
  token = await ts.service.context.tokens.issue('bounded', ['tender'], Date.now(), 3600);
});
afterAll(() => ts.close());

const send = (requestID: string, tenderID = 't-1') => fetch(`${ts.base}/ei/EiTender`, { method: 'POST',
  headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
  body: fixture.replace('<pyld:requestID>req-1</pyld:requestID>', `<pyld:requestID>${requestID}</pyld:requestID>`)
    .replace('<ei:tenderID>t-1</ei:tenderID>', `<ei:tenderID>${tenderID}</ei:tenderID>`) });

describe('bounded fields', () => {
  it('refuses an oversized requestID before it is recorded, with a short answer that passes the schemas', async () => {
    const before = (await ts.service.context.store.list('requests')).length;
    for (const id of ['x'.repeat(900_000), `${'a b '.repeat(200_000)}`, 'x'.repeat(129)]) {
      const res = await send(id);
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text.length).toBeLessThan(2048);
      const read = pipeline.read(Buffer.from(text));
      expect(read.name === 'eiResponse' && read.body.responseDescription).toMatch(/^MM_ERR_XML_INVALID: line \d+: not valid: Element 'pyld:requestID'/);
    }
    expect(await ts.service.context.store.list('requests')).toHaveLength(before);
  });

  it('takes an identifier of 128 characters, and records the answer to it', async () => {
    const res = await send('r'.repeat(128), 't'.repeat(128));
    expect(res.status).toBe(200);
    expect(await ts.service.context.store.get('requests', `bounded/${'r'.repeat(128)}`)).toBeDefined();
  });
});
