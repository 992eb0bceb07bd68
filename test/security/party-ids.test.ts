import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/auth/tokens.js';
import type { MicromarketError } from '../../src/errors.js';
import { postOadr, responseCode, vendorRegistration } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * One party-ID grammar at every door (issue 21, item 2): `pb/x` once minted a token, was mapped to a
 * certificate and then read party pb's recorded answers. What real VENs and apps send still passes.
 */
const HOSTILE = ['pb/x', 'pb%2Fx', 'a b', '', 'x'.repeat(129), 'ven\u0000', 'ünïcode', '../etc'];
const REAL = ['ven@example.org', 'urn:uuid:6f1c1a2e-4e0b-4c1b-9d4e-3f2a1b0c9d8e', 'VEN_ID_0001', 'x'.repeat(128)];
let ts: TestService;

beforeAll(async () => {
  ts = await testService();
});
afterAll(() => ts.close());

const asOperator = (path: string, body: unknown) => fetch(`${ts.base}${path}`, { method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${ts.operatorToken}` }, body: JSON.stringify(body) });
const FINGERPRINT = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');

describe('the party-ID grammar', () => {
  it.each(HOSTILE)('refuses %j as an OAuth client and as a certificate\'s party', async (partyID) => {
    for (const [path, body] of [['/oauth/clients', { partyID, scopes: ['tender'] }], ['/oauth/fingerprints', { fingerprint: FINGERPRINT, partyID, scopes: ['tender'] }]] as const) {
      const res = await asOperator(path, body);
      expect(res.status, path).toBe(400);
      expect(await res.text()).toContain('partyID: 1 to 128 letters, digits or . : @ _ -');
    }
  });

  it.each(REAL)('takes %j, as VENs and apps name themselves', async (partyID) => {
    expect((await asOperator('/oauth/clients', { partyID, scopes: ['tender'] })).status).toBe(201);
    expect((await asOperator('/oauth/fingerprints', { fingerprint: FINGERPRINT, partyID, scopes: ['tender'] })).status).toBe(201);
  });

  it('refuses to mint a token for another name, and a token naming one (signed with the service key) is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-party-ids-'));
    try {
      const tokens = await TokenService.forDataDir(dir);
      await expect(tokens.issue('pb/x', ['tender'], Date.now())).rejects.toThrow('a party ID is 1 to 128 letters, digits or . : @ _ -, not "pb/x"');
      const key = Buffer.from((await readFile(join(dir, 'jwt-signing.key'), 'utf8')).trim(), 'base64url');
      const forged = await new SignJWT({ scope: 'tender' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('micromarket').setSubject('pb/x')
        .setIssuedAt().setExpirationTime('1h').sign(key);
      const refused = await tokens.verify(forged, Date.now()).then(() => undefined, (e: MicromarketError) => e);
      expect(refused?.code).toBe('MM_ERR_AUTH_INVALID');
      expect(refused?.message).toContain('its subject is not a party ID');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses another name as an EI registree or an OpenADR venID, in the schema (400)', async () => {
    const token = await ts.service.context.tokens.issue('aggregator-3', ['register'], Date.now(), 600);
    const registration = (await readFile(new URL('../fixtures/valid/eiCreatePartyRegistration.xml', import.meta.url), 'utf8'))
      .replace('<ei:registreePartyID>aggregator-3</ei:registreePartyID>', '<ei:registreePartyID>pb/x</ei:registreePartyID>');
    const res = await fetch(`${ts.base}/ei/EiRegisterParty`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body: registration });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Element 'ei:registreePartyID': [facet 'pattern'] The value 'pb/x' is not accepted");
    const ven = await ts.service.context.tokens.issue('ven-ids', ['register'], Date.now(), 600);
    expect(responseCode(await postOadr(ts.base, 'EiRegisterParty', vendorRegistration, ven))).toBe('200');
    const poll = `<?xml version="1.0" encoding="UTF-8"?>\n<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110">`
      + '<oadr:oadrSignedObject><oadr:oadrPoll ei:schemaVersion="2.0b"><ei:venID>pb/x</ei:venID></oadr:oadrPoll></oadr:oadrSignedObject></oadr:oadrPayload>';
    const answer = await postOadr(ts.base, 'OadrPoll', poll, ven);
    expect(responseCode(answer)).toBe('400');
    expect(JSON.stringify(answer)).toContain("The value 'pb/x' is not accepted by the pattern");
  });
});
