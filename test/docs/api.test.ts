import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet, xmllint } from '../support/schemas.js';

const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const samples = [...doc.matchAll(/```xml\n([\s\S]*?)```/g)].map((m, i) => ({ name: `sample-${i + 1}.xml`, xml: m[1]! }));
const pipeline = new XmlPipeline(schemaSet());

describe('docs/api.md samples', () => {
  it('has a request and a response for every EI operation', () => {
    const roots = new Set(samples.map((s) => /<\w+:(\w+)/.exec(s.xml)![1]));
    for (const name of ['eiCreatePartyRegistration', 'eiRequestPartyRegistration', 'eiCancelPartyRegistration', 'eiCreateEnroll',
      'eiRequestEnroll', 'eiCancelEnroll', 'eiRequestEiMarketContext', 'eiRequestQuote', 'eiCreateTender', 'eiCancelTender',
      'eiRequestTender', 'eiDistributeTender', 'eiCreateTransaction', 'eiRequestTransaction', 'eiCreateAvail', 'eiCancelAvail', 'eiRequestAvail']) {
      expect(roots.has(name), name).toBe(true);
    }
    expect(samples.length).toBe(40);
  });

  it.each(samples)('$name is a valid payload', ({ xml }) => {
    expect(() => pipeline.read(Buffer.from(xml))).not.toThrow();
  });

  it('xmllint-wasm agrees', async () => {
    const errors = await xmllint(samples);
    expect(Object.fromEntries([...errors].filter(([, e]) => e.length > 0))).toEqual({});
  });
});
