/**
 * The SDK's OpenADR VEN (`OpenAdrVen`) against a service: it registers, polls, and renews a token the
 * VTN refuses. OpenADR answers a refused token inside an HTTP 200 (responseCode 401), so the VEN, not
 * the HTTP layer, must see it: a long-running VEN on client credentials would otherwise stop when
 * its first token expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMicromarketClientError, OpenAdrVen } from '../../src/client/index.js';
import { testService, type TestService } from '../support/service.js';

let ts: TestService;
beforeAll(async () => {
  ts = await testService();
});
afterAll(() => ts.close());

describe('OpenAdrVen', () => {
  it('registers for pull, takes the poll period, and polls', async () => {
    const ven = new OpenAdrVen({ baseUrl: ts.base, venID: 'ven-sdk', token: await ts.service.context.tokens.issue('ven-sdk', ['register'], Date.now(), 600) });
    await ven.register();
    expect(ven.registrationID).toMatch(/^reg-ven-sdk-/);
    expect(ven.pollFrequencyMs).toBe(10_000);
    expect(await ven.poll()).toBe('idle');
  });

  it('gets a new token from its source when the VTN refuses the one it has, once', async () => {
    let issued = 0;
    // The first token expires after a second, though the source says an hour: as a revoked or clock-skewed token would.
    const tokenSource = async () => ({ token: await ts.service.context.tokens.issue('ven-renew', ['register'], Date.now(), ++issued === 1 ? 1 : 600), expiresInSeconds: 3600 });
    const ven = new OpenAdrVen({ baseUrl: ts.base, venID: 'ven-renew', tokenSource });
    await ven.register();
    expect(issued).toBe(1);
    await new Promise((r) => setTimeout(r, 2100));
    expect(await ven.poll()).toBe('idle');
    expect(issued).toBe(2);
  });

  it('reports a refusal it cannot fix: a fixed token that has expired', async () => {
    const ven = new OpenAdrVen({ baseUrl: ts.base, venID: 'ven-fixed', token: await ts.service.context.tokens.issue('ven-fixed', ['register'], Date.now(), 1) });
    await new Promise((r) => setTimeout(r, 2100));
    const refused = await ven.register().then(() => undefined, (error: unknown) => error);
    expect(isMicromarketClientError(refused) && refused.responseCode).toBe('401');
  });
});
