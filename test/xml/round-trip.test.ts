import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { payloads, type Payload, type PayloadName } from '../../src/xml/payloads/index.js';
import { samples } from '../support/samples.js';
import { schemaSet, xmllint } from '../support/schemas.js';

const pipeline = new XmlPipeline(schemaSet());
const names = Object.keys(payloads) as PayloadName[];
const written = names.map((name) => ({ name, xml: pipeline.write({ name, body: samples[name] } as Payload) }));

describe('every payload type: build → validate (both oracles) → parse → equal', () => {
  it('has a sample for each of the 39 payload roots', () => {
    expect(names).toHaveLength(39);
  });

  it.each(written)('$name written by us is valid for libxml2-wasm and parses back to the same value', ({ name, xml }) => {
    expect(() => schemaSet().validate(Buffer.from(xml))).not.toThrow();
    expect(pipeline.read(Buffer.from(xml))).toEqual({ name, body: samples[name] });
  });

  it('xmllint-wasm, the independent oracle, agrees that every emitted document is valid', async () => {
    const errors = await xmllint(written.map(({ name, xml }) => ({ name: `${name}.xml`, xml })));
    expect(Object.fromEntries([...errors].filter(([, e]) => e.length > 0))).toEqual({});
  });
});
