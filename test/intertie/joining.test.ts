import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import { rulesDir } from '../support/markets.js';
import { testService, type TestService } from '../support/service.js';

describe('a child market joining a parent that needs the operator\'s approval', () => {
  let dir: string;
  let svc: TestService;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-joining-'));
    const nested = join(rulesDir, 'nested');
    for (const f of (await readdir(nested)).filter((f) => f.endsWith('.xml'))) await copyFile(join(nested, f), join(dir, f));
    const feeder = await readFile(join(dir, 'feeder-north.xml'), 'utf8');
    await writeFile(join(dir, 'feeder-north.xml'), feeder.replace('<rules:enrollment>open</rules:enrollment>', '<rules:enrollment>approval</rules:enrollment>'));
    svc = await testService(Date.UTC(2026, 10, 23, 11), { rulesDir: dir });
  });
  afterAll(async () => {
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits in state joining, with the reason, until the parent\'s operator approves; then links', async () => {
    await svc.service.scheduler.tick();
    const home1 = () => svc.service.interties!.status().find((s) => s.market === 'home-1')!;
    expect(home1()).toMatchObject({ state: 'joining', reason: expect.stringContaining('pendingEnrollment') });
    const health = await (await fetch(`${svc.base}/healthz`)).json() as { status: string };
    expect(health.status).toBe('degraded');
    const operator = new MicromarketClient({ baseUrl: svc.base, partyID: 'operator', token: svc.operatorToken });
    await operator.call('EiEnroll', 'eiCreatedEnroll', { name: 'eiCreateEnroll', body: { requestID: '', enrollment: { applicationDate: svc.clock.now,
      enrolleePartyID: 'home-1', enrolleeType: 'aggregator', enrollmentID: 'feeder-north:home-1', marketContext: 'urn:micromarket:feeder-north',
      enrollmentStatus: 'approvedEnrollment', resourceIDs: [] } } });
    await svc.service.scheduler.tick();
    expect(home1().state).toBe('linked');
  });
});
