import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../src/service.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { httpsPost, makeCertificates } from '../support/certificates.js';
import { rulesDir } from '../support/markets.js';
import { schemaSet } from '../support/schemas.js';

let dir = '';
let service: Service;
let base = '';
const pem: Record<string, Buffer> = {};
const pipeline = new XmlPipeline(schemaSet());

const post = (path: string, body: string, headers: Record<string, string>, client?: 'client' | 'stranger') =>
  httpsPost(`${base}${path}`, body, headers, { ca: pem['ca.pem']!, ...(client ? { cert: pem[`${client}.pem`]!, key: pem[`${client}.key`]! } : {}) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-tls-'));
  // A CA, a server certificate for 127.0.0.1 and two client certificates, made with openssl for this test.
  Object.assign(pem, await makeCertificates(dir, [{ name: 'client', cn: 'ven-42' }, { name: 'stranger', cn: 'stranger' }]));
  service = await startService({ dataDir: join(dir, 'data'), rulesDir, gateTickMs: 0, tls: { cert: pem['server.pem']!, key: pem['server.key']!, ca: pem['ca.pem']! } });
  base = await service.app.listen({ port: 0, host: '127.0.0.1' });
}, 30_000);
afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('TLS client certificates', () => {
  it('attributes a request to the party the operator mapped the certificate to', async () => {
    const fingerprint = execFileSync('openssl', ['x509', '-in', 'client.pem', '-noout', '-fingerprint', '-sha256'], { cwd: dir }).toString().trim();
    const operator = await service.services.tokens.issue('operator', ['operator'], Date.now());
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
