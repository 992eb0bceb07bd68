import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { schemaSet } from './schemas.js';

/** What the OpenADR tests share: posting as a VEN, reading the (schema-checked) answer. */
export const pipeline = new XmlPipeline(schemaSet());

/** The oadrCreatePartyRegistration an OpenLEADR VEN sends, byte for byte (pull, no signature). */
export const vendorRegistration = readFileSync(new URL('../fixtures/openadr/transcript/03-ven-oadrCreatePartyRegistration.xml', import.meta.url), 'utf8');

export const wrap = (message: OadrMessage): string => pipeline.write({ name: 'oadrPayload', body: { message } });

/**
 * POSTs to an OpenADR service with a bearer token (null: none). OpenADR answers every request with
 * 200, the outcome being the responseCode; the answer must pass the schemas.
 */
export async function postOadr(base: string, service: string, body: OadrMessage | string, token: string | null): Promise<OadrMessage> {
  const res = await fetch(`${base}/OpenADR2/Simple/2.0b/${service}`, { method: 'POST', body: typeof body === 'string' ? body : wrap(body),
    headers: { 'content-type': 'application/xml', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  expect(res.status).toBe(200);
  return answerOf(await res.text());
}

/** The message inside an OpenADR answer, read (and validated) by the bundled schemas. */
export function answerOf(text: string): OadrMessage {
  const read = pipeline.read(Buffer.from(text));
  if (read.name !== 'oadrPayload') throw new Error(`expected oadrPayload, got ${read.name}`);
  return read.body.message;
}

export const responseCode = (message: OadrMessage) => ('eiResponse' in message.value ? message.value.eiResponse?.responseCode : undefined);
