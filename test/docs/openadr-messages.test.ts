import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet, xmllint } from '../support/schemas.js';

/** docs/openadr-messages.md: a recorded exchange of every OpenADR message micromarket uses, each read through the schemas. */
const doc = readFileSync(new URL('../../docs/openadr-messages.md', import.meta.url), 'utf8');
const samples = [...doc.matchAll(/```xml\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split(/<!--[^>]*-->/).map((s) => s.trim()).filter(Boolean));
const pipeline = new XmlPipeline(schemaSet());
const kinds = samples.map((xml) => /<oadr:oadrSignedObject[^>]*>\s*<oadr:(\w+)/.exec(xml)?.[1]);

describe('docs/openadr-messages.md', () => {
  it('shows every message of the profile that micromarket uses, each way', () => {
    expect(new Set(kinds)).toEqual(new Set([
      'oadrQueryRegistration', 'oadrCreatePartyRegistration', 'oadrCreatedPartyRegistration', 'oadrCancelPartyRegistration', 'oadrCanceledPartyRegistration',
      'oadrRequestReregistration', 'oadrDistributeEvent', 'oadrCreatedEvent', 'oadrRequestEvent', 'oadrRegisterReport', 'oadrRegisteredReport',
      'oadrCreatedReport', 'oadrUpdateReport', 'oadrUpdatedReport', 'oadrCancelReport', 'oadrCanceledReport', 'oadrCreateOpt', 'oadrCreatedOpt',
      'oadrCancelOpt', 'oadrCanceledOpt', 'oadrPoll', 'oadrResponse',
    ]));
    expect(doc).toContain('`oadrCreateReport` is not used');
  });

  it.each(samples.map((xml, i) => ({ i, xml })))('sample $i is a valid OpenADR message', ({ xml }) => {
    expect(pipeline.read(Buffer.from(xml)).name).toBe('oadrPayload');
  });

  it('xmllint-wasm agrees', async () => {
    const errors = await xmllint(samples.map((xml, i) => ({ name: `oadr-${i}.xml`, xml })));
    expect(Object.fromEntries([...errors].filter(([, e]) => e.length > 0))).toEqual({});
  });
});
