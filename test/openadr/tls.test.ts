import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { httpsPost, tlsService, type TlsService } from '../support/certificates.js';
import { answerOf, vendorRegistration, wrap } from '../support/openadr.js';
import { missing } from '../support/system.js';

const noOpenssl = missing('openssl', 'openssl', 'OpenADR over TLS tests');

/**
 * OpenADR security as deployments use it, over real TLS: the operator maps a VEN's certificate to
 * its party with `micromarket fingerprint` before the VEN first connects; the VEN then registers and
 * polls with the certificate alone (an ECC P-256 one: a VTN must take ECC as well as RSA). A
 * certificate from the same CA that nobody mapped gets an oadrResponse with 401, never the VEN's data.
 */
const registration = vendorRegistration;
const poll = (venID: string) => wrap({ kind: 'oadrPoll', value: { venID } });
let tls: TlsService;

const post = (service: string, body: string, client: 'ven' | 'stranger') =>
  httpsPost(`${tls.base}/OpenADR2/Simple/2.0b/${service}`, body, { 'content-type': 'application/xml' },
    { ca: tls.pem['ca.pem']!, cert: tls.pem[`${client}.pem`]!, key: tls.pem[`${client}.key`]! });
const answer = answerOf;

beforeAll(async () => {
  if (noOpenssl) return;
  tls = await tlsService([{ name: 'ven', cn: 'ven-ecc', key: 'ec' }, { name: 'stranger', cn: 'stranger' }]);
}, 30_000);
afterAll(() => tls?.close());

describe.skipIf(noOpenssl)('a VEN identified by its TLS client certificate', () => {
  it('is provisioned by the operator with the CLI, then registers and polls without a token', async () => {
    expect(await main(['fingerprint', '--cert', join(tls.dir, 'ven.pem'), '--party', 'ven-ecc', '--scope', 'register,report',
      '--url', tls.base, '--server-ca', join(tls.dir, 'ca.pem'), '--data', join(tls.dir, 'data')])).toBe(0);
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
