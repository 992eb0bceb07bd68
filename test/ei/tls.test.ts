import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { httpsPost, tlsService, type TlsService } from '../support/certificates.js';
import { schemaSet } from '../support/schemas.js';
import { missing } from '../support/system.js';

const noOpenssl = missing('openssl', 'openssl', 'TLS client certificate tests');

let tls: TlsService;
const pipeline = new XmlPipeline(schemaSet());

const post = (path: string, body: string, headers: Record<string, string>, client?: 'client' | 'stranger') =>
  httpsPost(`${tls.base}${path}`, body, headers, { ca: tls.pem['ca.pem']!, ...(client ? { cert: tls.pem[`${client}.pem`]!, key: tls.pem[`${client}.key`]! } : {}) });

// A CA, a server certificate for 127.0.0.1 and two client certificates, made with openssl for this test.
beforeAll(async () => {
  if (noOpenssl) return;
  tls = await tlsService([{ name: 'client', cn: 'ven-42' }, { name: 'stranger', cn: 'stranger' }]);
}, 30_000);
afterAll(() => tls?.close());

describe.skipIf(noOpenssl)('TLS client certificates', () => {
  it('attributes a request to the party the operator mapped the certificate to', async () => {
    const fingerprint = execFileSync('openssl', ['x509', '-in', 'client.pem', '-noout', '-fingerprint', '-sha256'], { cwd: tls.dir }).toString().trim();
    const operator = await tls.service.context.tokens.issue('operator', ['operator'], Date.now());
    const mapped = await post('/oauth/fingerprints', JSON.stringify({ fingerprint, partyID: 'ven-42', scopes: ['register', 'enroll'] }),
      { 'content-type': 'application/json', authorization: `Bearer ${operator}` });
    expect(mapped.status).toBe(201);
    const registration = pipeline.write({ name: 'eiCreatePartyRegistration', body: { requestID: 'tls-1', registrationInfo: { partyRoles: ['aggregator'] } } });
    const res = await post('/ei/EiRegisterParty', registration, { 'content-type': 'application/xml' }, 'client');
    expect(res.status).toBe(200);
    const read = pipeline.read(Buffer.from(res.text));
    expect(read.name === 'eiCreatedPartyRegistration' && read.body).toMatchObject({ eiResponse: { responseCode: '200' }, registreePartyID: 'ven-42' });
  });

  it('refuses a trusted certificate nobody mapped, and a client with neither certificate nor token', async () => {
    const registration = pipeline.write({ name: 'eiCreatePartyRegistration', body: { requestID: 'tls-2', registrationInfo: { partyRoles: ['aggregator'] } } });
    const stranger = await post('/ei/EiRegisterParty', registration, { 'content-type': 'application/xml' }, 'stranger');
    expect(stranger.status).toBe(401);
    expect(stranger.text).toContain('is not mapped to a party');
    expect((await post('/ei/EiRegisterParty', registration, { 'content-type': 'application/xml' })).status).toBe(401);
  });
});
