import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { payloads, type Payload, type PayloadName } from '../../src/xml/payloads/index.js';
import { writeXml } from '../../src/xml/writer.js';
import { XmlTreeReader } from '../support/fxp-tree.js';
import { builderWriteXml } from '../support/fxp-writer.js';
import { samples } from '../support/samples.js';
import { schemaSet } from '../support/schemas.js';

/**
 * The service reads the tree of the document libxml2 validated and writes with string
 * concatenation; fast-xml-parser is the independent second reader and writer they must agree with.
 */
const pipeline = new XmlPipeline(schemaSet());
const fxp = new XmlTreeReader(pipeline.limits.maxDepth);
const names = Object.keys(payloads) as PayloadName[];
const validDir = new URL('../fixtures/valid/', import.meta.url);
const documents = [
  ...readdirSync(validDir).filter((f) => f.endsWith('.xml')).map((f) => ({ name: f, xml: readFileSync(new URL(f, validDir), 'utf8') })),
  ...names.map((name) => ({ name, xml: pipeline.write({ name, body: samples[name] } as Payload) })),
];

describe('libxml2 tree and fast-xml-parser agree', () => {
  it.each(documents)('$name reads into the same tree', ({ xml }) => {
    expect(pipeline.readTree(Buffer.from(xml))).toEqual(fxp.read(xml));
  });
});

describe('the writer and fast-xml-parser XMLBuilder agree', () => {
  it.each(names)('%s is written byte for byte as XMLBuilder writes it', (name) => {
    const element = (payloads[name] as { encode(v: unknown): Parameters<typeof writeXml>[0] }).encode(samples[name]);
    expect(writeXml(element)).toBe(builderWriteXml(element));
  });
});

describe('character data survives writing and reading', () => {
  it('keeps markup characters, quotes, line breaks and non-ASCII text', () => {
    const description = 'a & b < c > d "q" \'s\' ]]> line\r\nnext ⚡ Zürich';
    const xml = pipeline.write({ name: 'eiResponse', body: { responseCode: '200', responseDescription: description, requestID: 'r-1' } });
    expect(xml).toContain('a &amp; b &lt; c &gt; d');
    const read = pipeline.read(Buffer.from(xml));
    expect(read).toEqual({ name: 'eiResponse', body: { responseCode: '200', responseDescription: description, requestID: 'r-1' } });
  });
});
