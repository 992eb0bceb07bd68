import { XmlPipeline } from '../src/xml/pipeline.js';
import { SchemaSet } from '../src/xml/schema-set.js';
import { encodeOps } from '../src/store/memory-state.js';
import { encodeRecord } from '../src/store/journal-files.js';
import { put } from '../src/store/store.js';
const pipeline = new XmlPipeline(SchemaSet.load());
const interval = Date.UTC(2026, 10, 23, 13);
const product = { dtstart: interval, payload: { kind: 'temixPower' as const, value: { price: { kind: 'price' as const, value: 0.1 }, quantity: 3 } }, uid: 'p1', transactiveState: 'tender' as const, marketContext: 'urn:micromarket:feeder-7', side: 'buy' as const };
const req = Buffer.from(pipeline.write({ name: 'eiCreateTender', body: { requestID: 'r1', partyID: 'building-b', counterPartyID: 'micromarket', tenders: [{ tenderID: 't1', product }] } }));
const resPayload = { name: 'eiCreatedTender' as const, body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: 'r1' }, partyID: 'building-b', counterPartyID: 'micromarket', tenderIDs: ['t1'],
  transactions: [{ transactionID: 'feeder-7-1', tenderID: 't1', product: { ...product, transactiveState: 'transaction' as const, duration: { negative: false, years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 5, seconds: 0 }, currency: 'EUR' } }] } };
const time = (name: string, n: number, f: () => unknown) => { for (let i = 0; i < 2000; i++) f(); const t = performance.now(); for (let i = 0; i < n; i++) f(); console.log(name.padEnd(40), ((performance.now() - t) * 1000 / n).toFixed(1), 'us'); };
console.log('request bytes', req.length);
time('pipeline.read (guard+validate+parse+decode)', 20000, () => pipeline.read(req));
time('pipeline.write (response)', 20000, () => pipeline.write(resPayload));
const responseXml = pipeline.write(resPayload);
const command = { kind: 'submit', tender: { tenderID: 't1', partyID: 'building-b', product }, availability: [], now: Date.now() };
time('journal encode (command + request + 2 txns)', 20000, () => encodeRecord(1, encodeOps([
  put('commands', 'feeder-7/000000000001', command as never), put('party-transactions', 'a/x', { a: 1 } as never), put('party-transactions', 'b/x', { a: 1 } as never),
  put('requests', 'building-b/r1', { status: 200, body: responseXml })])));
console.log('response bytes', responseXml.length);
