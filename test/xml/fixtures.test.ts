import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { refusal } from '../support/refusal.js';
import { schemaSet, xmllint } from '../support/schemas.js';

const dir = (name: string) => new URL(`../fixtures/${name}/`, import.meta.url);
const load = (kind: string) => readdirSync(dir(kind)).filter((f) => f.endsWith('.xml')).sort()
  .map((file) => ({ name: file, xml: readFileSync(new URL(file, dir(kind)), 'utf8') }));
const valid = load('valid');
const invalid = load('invalid');
const expectations = JSON.parse(readFileSync(new URL('expectations.json', dir('invalid')), 'utf8')) as
  Record<string, { line: number; code: string; includes: string; xmllintRejects: boolean }>;
const pipeline = new XmlPipeline(schemaSet());
const failure = (xml: string) => refusal(pipeline, xml);

describe('test/fixtures/valid', () => {
  it.each(valid)('$name is read by the pipeline', ({ xml }) => {
    expect(() => pipeline.read(Buffer.from(xml))).not.toThrow();
  });

  it('xmllint-wasm agrees that every valid fixture is valid', async () => {
    const errors = await xmllint(valid);
    expect(Object.fromEntries([...errors].filter(([, e]) => e.length > 0))).toEqual({});
  });
});

describe('test/fixtures/invalid', () => {
  it('has an expectation for every invalid fixture', () => {
    expect(invalid.map((f) => f.name.replace(/\.xml$/, '')).sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(invalid)('$name is refused with its line and reason', ({ name, xml }) => {
    const expected = expectations[name.replace(/\.xml$/, '')]!;
    const error = failure(xml);
    expect(error.code).toBe(expected.code);
    expect(error.line).toBe(expected.line);
    expect(error.reason).toContain(expected.includes);
    expect(error.responseCode).toBe('400');
  });

  it('xmllint-wasm, the second oracle, refuses the same fixtures on the same lines', async () => {
    const errors = await xmllint(invalid);
    for (const { name } of invalid) {
      const expected = expectations[name.replace(/\.xml$/, '')]!;
      expect(errors.get(name)?.[0], name).toMatch(new RegExp(`^${expected.line}: `));
    }
  });
});

describe('documents that are schema-valid but not payloads', () => {
  it('refuses a bare EI class as the root', () => {
    const tender = valid.find((f) => f.name === 'eiCreateTender.xml')!.xml;
    const start = tender.indexOf('<ei:eiTender>');
    const end = tender.indexOf('</ei:eiTender>') + '</ei:eiTender>'.length;
    const bare = tender.slice(start, end).replace('<ei:eiTender>', `<ei:eiTender ${tender.match(/xmlns:ei="[^"]+"/)![0]} ${
      tender.match(/xmlns:emix="[^"]+"/)![0]} ${tender.match(/xmlns:power="[^"]+"/)![0]} ${tender.match(/xmlns:xcal="[^"]+"/)![0]} ${
      tender.match(/xmlns:strm="[^"]+"/)![0]}>`);
    expect(() => schemaSet().validate(Buffer.from(bare))).not.toThrow();
    expect(failure(bare).code).toBe('MM_ERR_XML_UNKNOWN_PAYLOAD');
  });
});
