import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startService, type Service } from '../../src/service.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { httpsPost, makeCertificates } from '../support/certificates.js';
import { rulesDir } from '../support/markets.js';
import { schemaSet } from '../support/schemas.js';

/**
 * OpenADR security as deployments use it, over real TLS: the operator maps a VEN's certificate to
 * its party with `micromarket fingerprint` before the VEN first connects; the VEN then registers and
 * polls with the certificate alone (an ECC P-256 one: a VTN must take ECC as well as RSA). A
 * certificate from the same CA that nobody mapped gets an oadrResponse with 401, never the VEN's data.
 */
const pipeline = new XmlPipeline(schemaSet());
const registration = readFileSync(new URL('../fixtures/openadr/transcript/03-ven-oadrCreatePartyRegistration.xml', import.meta.url), 'utf8');
const poll = (venID: string) => pipeline.write({ name: 'oadrPayload', body: { message: { kind: 'oadrPoll', value: { venID } } } });
let dir = '';
let service: Service;
let base = '';
let pem: Record<string, Buffer> = {};

const post = (service: string, body: string, client: 'ven' | 'stranger') =>
  httpsPost(`${base}/OpenADR2/Simple/2.0b/${service}`, body, { 'content-type': 'application/xml' },
    { ca: pem['ca.pem']!, cert: pem[`${client}.pem`]!, key: pem[`${client}.key`]! });
const answer = (text: string) => {
  const read = pipeline.read(Buffer.from(text));
  if (read.name !== 'oadrPayload') throw new Error(read.name);
  return read.body.message;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-oadr-tls-'));
  pem = await makeCertificates(dir, [{ name: 'ven', cn: 'ven-ecc', key: 'ec' }, { name: 'stranger', cn: 'stranger' }]);
  service = await startService({ dataDir: join(dir, 'data'), rulesDir, gateTickMs: 0, tls: { cert: pem['server.pem']!, key: pem['server.key']!, ca: pem['ca.pem']! } });
  base = await service.app.listen({ port: 0, host: '127.0.0.1' });
}, 30_000);
afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a VEN identified by its TLS client certificate', () => {
  it('is provisioned by the operator with the CLI, then registers and polls without a token', async () => {
    expect(await main(['fingerprint', '--cert', join(dir, 'ven.pem'), '--party', 'ven-ecc', '--scope', 'register,report',
      '--url', base, '--server-ca', join(dir, 'ca.pem'), '--data', join(dir, 'data')])).toBe(0);
    const created = answer((await post('EiRegisterParty', registration, 'ven')).text);
    expect(created).toMatchObject({ kind: 'oadrCreatedPartyRegistration', value: { eiResponse: { responseCode: '200' }, venID: 'ven-ecc' } });
    const polled = await post('OadrPoll', poll('ven-ecc'), 'ven');
    expect(polled.status).toBe(200);
    expect(answer(polled.text)).toMatchObject({ kind: 'oadrResponse', value: { eiResponse: { responseCode: '200' }, venID: 'ven-ecc' } });
  });

  it('refuses a certificate nobody mapped with an oadrResponse 401, and another VEN\'s venID with 403', async () => {
    const stranger = await post('OadrPoll', poll('ven-ecc'), 'stranger');
    expect(stranger.status).toBe(200);
    expect(answer(stranger.text)).toMatchObject({ kind: 'oadrResponse', value: { eiResponse: { responseCode: '401' } } });
    expect(answer((await post('OadrPoll', poll('someone-else'), 'ven')).text)).toMatchObject({ value: { eiResponse: { responseCode: '403' } } });
  });
});
