import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../src/service.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { rulesDir } from '../support/markets.js';
import { schemaSet } from '../support/schemas.js';

let dir = '';
let service: Service;
let base = '';
const pem: Record<string, Buffer> = {};
const pipeline = new XmlPipeline(schemaSet());

function post(path: string, body: string, headers: Record<string, string>, client?: 'client' | 'stranger'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers, ca: pem['ca.pem'],
      ...(client ? { cert: pem[`${client}.pem`], key: pem[`${client}.key`] } : {}) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-tls-'));
  // A CA, a server certificate for 127.0.0.1 and two client certificates, made with openssl for this test.
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=micromarket test CA');
  for (const [name, subject, ext] of [['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', '/CN=ven-42', 'extendedKeyUsage=clientAuth'],
    ['stranger', '/CN=stranger', 'extendedKeyUsage=clientAuth']] as const) {
    await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  for (const f of ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key', 'stranger.pem', 'stranger.key']) pem[f] = await readFile(join(dir, f));
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
