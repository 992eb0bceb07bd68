import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from '../support/schemas.js';

const doc = readFileSync(new URL('../../docs/openadr.md', import.meta.url), 'utf8');
const samples = [...doc.matchAll(/```xml\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split(/<!--[^>]*-->/).map((s) => s.trim()).filter(Boolean));
const pipeline = new XmlPipeline(schemaSet());

describe('docs/openadr.md samples', () => {
  it('shows a registration and a poll, each with its answer', () => {
    expect(samples.map((xml) => /<oadr:oadrSignedObject[^>]*>\s*<oadr:(\w+)/.exec(xml)?.[1]))
      .toEqual(['oadrCreatePartyRegistration', 'oadrCreatedPartyRegistration', 'oadrPoll', 'oadrDistributeEvent']);
  });

  it.each(samples)('sample %# is a valid OpenADR message', (xml) => {
    expect(pipeline.read(Buffer.from(xml)).name).toBe('oadrPayload');
  });
});
