import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MicromarketError } from '../../src/errors.js';
import { schemaSet, xmllint } from '../support/schemas.js';

/**
 * Our OpenADR 2.0b schema (xsd/oadr.xsd with the EI classes it builds on) against a real VEN's exchange
 * with a reference VTN (test/fixtures/openadr/transcript, every message of which passed the official
 * 2.0b schema) and the reference sheet's examples.
 */
const load = (kind: string) => {
  const dir = new URL(`../fixtures/openadr/${kind}/`, import.meta.url);
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((name) => ({ name, xml: readFileSync(new URL(name, dir), 'utf8') }));
};
const transcript = load('transcript');
const reference = load('reference');
const poll = reference.find((f) => f.name === 'oadrPoll.xml')!.xml;
const distribute = reference.find((f) => f.name === 'oadrDistributeEvent.xml')!.xml;

function refusal(xml: string): MicromarketError {
  try {
    schemaSet().validate(Buffer.from(xml));
  } catch (error) {
    if (error instanceof MicromarketError) return error;
    throw error;
  }
  throw new Error('the document was accepted');
}

describe('OpenADR 2.0b messages', () => {
  it('the transcript holds the exchange of all five services', () => {
    const messages = new Set(transcript.map((f) => /<oadr:oadrSignedObject[^>]*>\s*<oadr:(\w+)/.exec(f.xml)?.[1]));
    expect([...messages].sort()).toEqual(['oadrCreatePartyRegistration', 'oadrCreatedEvent', 'oadrCreatedPartyRegistration',
      'oadrCreatedReport', 'oadrDistributeEvent', 'oadrPoll', 'oadrQueryRegistration', 'oadrRegisterReport', 'oadrRegisteredReport',
      'oadrRequestEvent', 'oadrResponse', 'oadrUpdateReport', 'oadrUpdatedReport']);
  });

  it.each([...transcript, ...reference])('$name is valid', ({ xml }) => {
    expect(() => schemaSet().validate(Buffer.from(xml))).not.toThrow();
  });

  it('xmllint-wasm, the second validator, agrees on every one', async () => {
    const errors = await xmllint([...transcript, ...reference]);
    expect(Object.fromEntries([...errors].filter(([, e]) => e.length > 0))).toEqual({});
  });
});

describe('OpenADR 2.0b messages that break the schema', () => {
  it('refuses an oadrPoll without venID, on its line', () => {
    const error = refusal(poll.replace('<ei:venID>ven-agg-1</ei:venID>', ''));
    expect(error.code).toBe('MM_ERR_XML_INVALID');
    expect(error.line).toBe(poll.split('\n').findIndex((l) => l.includes('<oadr:oadrPoll')) + 1);
    expect(error.reason).toContain('oadr:oadrPoll');
  });

  it('refuses a signalType outside the enumeration', () => {
    expect(refusal(distribute.replace('<ei:signalType>price</ei:signalType>', '<ei:signalType>cost</ei:signalType>')).reason)
      .toContain("'cost' is not an element of the set");
  });

  it('refuses an eventStatus outside the enumeration and a negative modificationNumber', () => {
    expect(refusal(distribute.replace('<ei:eventStatus>far</ei:eventStatus>', '<ei:eventStatus>pending</ei:eventStatus>')).code).toBe('MM_ERR_XML_INVALID');
    expect(refusal(distribute.replace('<ei:modificationNumber>0</ei:modificationNumber>', '<ei:modificationNumber>-1</ei:modificationNumber>')).code)
      .toBe('MM_ERR_XML_INVALID');
  });

  it('accepts x- extensions of signal names and refuses other unknown names', () => {
    expect(() => schemaSet().validate(Buffer.from(distribute.replace('ELECTRICITY_PRICE', 'x-HEAT_PRICE')))).not.toThrow();
    expect(refusal(distribute.replace('ELECTRICITY_PRICE', 'HEAT_PRICE')).code).toBe('MM_ERR_XML_INVALID');
  });

  it('refuses two messages in one signed object, and an EI payload in place of an OpenADR message', () => {
    const twice = poll.replace('</oadr:oadrPoll>', '</oadr:oadrPoll><oadr:oadrPoll ei:schemaVersion="2.0b"><ei:venID>x</ei:venID></oadr:oadrPoll>');
    expect(refusal(twice).code).toBe('MM_ERR_XML_INVALID');
    const ei = poll.replace(/<oadr:oadrPoll[\s\S]*<\/oadr:oadrPoll>/, '<pyld:requestID>r</pyld:requestID>');
    expect(refusal(ei).reason).toContain('pyld:requestID');
  });

  it('refuses a transport other than simpleHttp or xmpp', () => {
    const registration = reference.find((f) => f.name === 'oadrCreatePartyRegistration.xml')!.xml;
    expect(refusal(registration.replace('>simpleHttp<', '>https<')).code).toBe('MM_ERR_XML_INVALID');
  });
});
