import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import type { Scope } from '../../src/auth/tokens.js';
import type { Quotas } from '../../src/host/quotas.js';
import { startService, type Service } from '../../src/service/index.js';
import type { RedisStoreOptions } from '../../src/store/redis-store.js';
import { enrollApproved } from './enrollment.js';
import { rulesDir } from './markets.js';
import { takeViolations, watchOpenAdr } from './official-oadr.js';
import { vendorRegistration } from './openadr.js';

/** A service on a free port with the example markets, a clock the test sets, and the scheduler driven by hand. */
export interface TestService {
  service: Service;
  base: string;
  clock: { now: number };
  operatorToken: string;
  /** A registered party with client credentials, as an SDK client. */
  party(partyID: string, scopes?: string[], transportAddress?: string): Promise<MicromarketClient>;
  /** A VEN registered through OpenADR (a real VEN's registration, byte for byte) with a token of these scopes, and its SDK client. */
  ven(venID: string, scopes: Scope[]): Promise<{ client: MicromarketClient; token: string }>;
  /** Enrolls the client's party in a market and has the operator approve it. */
  enrollApproved(client: MicromarketClient, marketContext: string): Promise<void>;
  close(): Promise<void>;
}

let services = 0;
/**
 * With MICROMARKET_TEST_STORE=redis (the test config's redis project) the service keeps its state in
 * the tests' private Redis, each service in a namespace of its own; otherwise in the embedded store.
 */
function storeOptions(): { redis?: RedisStoreOptions } {
  if (process.env.MICROMARKET_TEST_STORE !== 'redis') return {};
  return { redis: { url: inject('redisUrl'), namespace: `svc-${process.pid}-${++services}` } };
}

export async function testService(start = Date.UTC(2026, 10, 23, 12, 0),
  options: { rulesDir?: string; quotas?: Partial<Quotas>; wallClock?: () => number } = {}): Promise<TestService> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-ei-'));
  // Every OpenADR message exchanged with it must also pass the official 2.0b schema.
  watchOpenAdr();
  const clock = { now: start };
  const service = await startService({ dataDir: dir, rulesDir: options.rulesDir ?? rulesDir, clock: () => clock.now, gateTickMs: 0, ...storeOptions(),
    ...(options.quotas ? { quotas: options.quotas } : {}), ...(options.wallClock ? { wallClock: options.wallClock } : {}) });
  const base = await service.app.listen({ port: 0, host: '127.0.0.1' });
  const operatorToken = await service.context.tokens.issue('operator', ['operator'], Date.now(), 24 * 3600);
  return {
    service, base, clock, operatorToken,
    async party(partyID, scopes = ['register', 'enroll', 'tender', 'quote', 'avail'], transportAddress) {
      const res = await fetch(`${base}/oauth/clients`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
        body: JSON.stringify({ partyID, scopes }) });
      const { client_id: clientId, client_secret: clientSecret } = await res.json() as { client_id: string; client_secret: string };
      const client = new MicromarketClient({ baseUrl: base, partyID, credentials: { clientId, clientSecret } });
      await client.register({ partyName: partyID, partyRoles: ['consumer'], ...(transportAddress ? { transportAddress } : {}) });
      return client;
    },
    async ven(venID, scopes) {
      const token = await service.context.tokens.issue(venID, scopes, Date.now(), 3600);
      const res = await fetch(`${base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', body: vendorRegistration,
        headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` } });
      if (!(await res.text()).includes(`<ei:venID>${venID}</ei:venID>`)) throw new Error(`${venID} did not register`);
      return { client: new MicromarketClient({ baseUrl: base, partyID: venID, token }), token };
    },
    enrollApproved: (client, marketContext) =>
      enrollApproved(client, new MicromarketClient({ baseUrl: base, partyID: 'operator', token: operatorToken }), marketContext, clock.now),
    async close() {
      await service.close();
      await rm(dir, { recursive: true, force: true });
      const refused = takeViolations();
      if (refused.length > 0) throw new Error(`the official OpenADR 2.0b schema refused ${refused.length} message(s):\n${refused.join('\n\n')}`);
    },
  };
}
