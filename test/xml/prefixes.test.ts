import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from '../support/schemas.js';

const pipeline = new XmlPipeline(schemaSet());
const original = readFileSync(new URL('../fixtures/valid/eiCreateTender.xml', import.meta.url), 'utf8');
const read = (xml: string) => pipeline.read(Buffer.from(xml));

describe('parsing matches namespace URIs, never prefixes', () => {
  it('reads the same tender when every prefix is renamed', () => {
    const renamed = original
      .replaceAll('pyld:', 'p:').replaceAll('xmlns:pyld=', 'xmlns:p=')
      .replaceAll('ei:', 'energy:').replaceAll('xmlns:ei=', 'xmlns:energy=')
      .replaceAll('emix:', 'e:').replaceAll('xmlns:emix=', 'xmlns:e=')
      .replaceAll('xcal:', 'cal:').replaceAll('xmlns:xcal=', 'xmlns:cal=');
    expect(renamed).not.toContain('emix:');
    expect(read(renamed)).toEqual(read(original));
  });

  it('reads the same tender when the payload namespace is the default namespace', () => {
    const defaulted = original.replaceAll('pyld:', '').replace('xmlns:pyld=', 'xmlns=');
    expect(defaulted).toContain('<eiCreateTender xmlns="http://docs.oasis-open.org/ns/energyinterop/201110/payloads"');
    expect(read(defaulted)).toEqual(read(original));
  });

  it('reads the same tender when namespaces are declared on inner elements and redeclared', () => {
    const inner = original
      .replace(' xmlns:xcal="urn:ietf:params:xml:ns:icalendar-2.0"', '')
      .replace('<emix:product>', '<emix:product xmlns:xcal="urn:ietf:params:xml:ns:icalendar-2.0">')
      .replace('<ei:interval>', '<ei:interval xmlns:emix="http://docs.oasis-open.org/ns/emix/2011/06">');
    expect(read(inner)).toEqual(read(original));
  });

  it('decodes character references and CDATA in values', () => {
    const escaped = original
      .replace('<ei:partyID>house-12</ei:partyID>', '<ei:partyID>h&#x6F;use&#45;12</ei:partyID>')
      .replace('<emix:uid>t-1-p</emix:uid>', '<emix:uid><![CDATA[t-1-p]]></emix:uid>');
    expect(read(escaped)).toEqual(read(original));
  });

  it('reads a document that starts with a UTF-8 byte-order mark', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(original)]);
    expect(pipeline.read(bom)).toEqual(read(original));
  });

  it('gives the tender the values the document states', () => {
    const tender = read(original);
    expect(tender.name).toBe('eiCreateTender');
    if (tender.name !== 'eiCreateTender') return;
    const product = tender.body.tenders[0]!.product;
    expect(product.dtstart).toBe(Date.UTC(2026, 10, 23, 17));
    expect(product.duration).toMatchObject({ hours: 1, minutes: 0 });
    expect(product.payload?.value.price).toEqual({ kind: 'price', value: 0.12 });
    expect(product.intervals?.[0]?.payloads[0]?.value).toEqual({ price: { kind: 'price', value: 0.11 }, quantity: 5 });
    expect(product).toMatchObject({ side: 'buy', integralOnly: false, marketContext: 'urn:micromarket:home', transactiveState: 'tender' });
  });
});
