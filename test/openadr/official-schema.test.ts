import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { officialMissing, officialProblem } from '../support/official-oadr.js';
import { wrap } from '../support/openadr.js';
import { oadrSamples } from '../support/samples.js';

/**
 * The official OpenADR 2.0b schema (test-only oracle, support/official-oadr.ts) against what
 * micromarket writes: every kind of message as the writer makes it, and the recorded exchange in
 * docs/openadr-messages.md. Every test service also checks its OpenADR traffic (support/service.ts).
 */
const doc = readFileSync(new URL('../../docs/openadr-messages.md', import.meta.url), 'utf8');
const recorded = [...doc.matchAll(/```xml\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split(/<!--[^>]*-->/).map((s) => s.trim()).filter(Boolean));
const written = Object.entries(oadrSamples).map(([kind, value]) => ({ kind, xml: wrap({ kind, value } as OadrMessage) }));

describe.skipIf(officialMissing)('the official OpenADR 2.0b schema', () => {
  it.each(written)('accepts $kind as micromarket writes it', ({ xml }) => {
    expect(officialProblem(xml)).toBeUndefined();
  });

  it('accepts every message of docs/openadr-messages.md, requests and answers', () => {
    expect(recorded.length).toBeGreaterThan(40);
    expect(recorded.map((xml, i) => [i, officialProblem(xml)]).filter(([, problem]) => problem !== undefined)).toEqual([]);
  });

  it('refuses what our schema used to accept: a reportToFollow in the oadr namespace, a power item without attributes', () => {
    const cancel = wrap({ kind: 'oadrCancelReport', value: oadrSamples.oadrCancelReport });
    expect(officialProblem(cancel)).toBeUndefined();
    expect(officialProblem(cancel.replace(/pyld:reportToFollow/g, 'oadr:reportToFollow'))).toMatch(/reportToFollow/);
    const distribute = wrap({ kind: 'oadrDistributeEvent', value: oadrSamples.oadrDistributeEvent });
    expect(distribute).toContain('<power:powerAttributes>');
    expect(officialProblem(distribute.replace(/<power:powerAttributes>.*?<\/power:powerAttributes>/s, ''))).toMatch(/powerAttributes/);
  });
});
