/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core; nothing is
 * downloaded): it loads, refuses a token that is not an operator's, logs in, and shows a home
 * auction's clearing price once the gate closes, live, with no reload. The last screen is saved as
 * test-artifacts/dashboard.png.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import { priced } from '../support/enrollment.js';
import { testService, type TestService } from '../support/service.js';
import { missing } from '../support/system.js';

const noChromium = missing('/usr/bin/chromium', 'chromium', 'the dashboard in a browser');

const HOME = 'urn:micromarket:home';
const FEEDER = 'urn:micromarket:feeder-7';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let ts: TestService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (noChromium) return;
  ts = await testService(at(12, 0));
  // The machine's Chromium (Debian package); .ci/run installs it. Root in CI: no sandbox.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

describe.skipIf(noChromium)('the operator dashboard in Chromium', () => {
  it('loads and asks for an operator token; a party\'s token is refused with a reason', async () => {
    await page.goto(`${ts.base}/dashboard`);
    expect(await page.title()).toBe('micromarket · operator dashboard');
    const party = await ts.service.context.tokens.issue('someone', ['tender'], Date.now(), 600);
    await page.fill('#token', party);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login-error:has-text("not an operator token")');
    expect(await page.isVisible('#board')).toBe(false);
  });

  it('logs in and shows every market with its terms', async () => {
    await page.fill('#token', ts.operatorToken);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#link:has-text("live")');
    for (const name of ['Home electricity', 'Feeder 7 electricity']) await page.waitForSelector(`.card h3:has-text("${name}")`);
    expect(await page.textContent('#market-home [data-role=last]')).toBe('no clearing yet');
  });

  it('shows the clearing price of an auction, live, once its gate closes', async () => {
    const buyer = await ts.party('dash-buyer');
    const seller = await ts.party('dash-seller');
    for (const client of [buyer, seller]) await ts.enrollApproved(client, HOME);
    await buyer.tender([{ tenderID: 'b', product: priced(HOME, 'buy', 0.4, 2, at(12, 15)) }]);
    await seller.tender([{ tenderID: 's', product: priced(HOME, 'sell', 0.2, 2, at(12, 15)) }]);
    // The book shows both bids before the auction.
    await page.waitForSelector('#market-home [data-role=books] td:has-text("12:15")');
    const expected = await new MicromarketClient({ baseUrl: ts.base, partyID: 'operator', token: ts.operatorToken }).price(HOME, at(12, 15), 'indicative');
    expect(expected).toBeGreaterThanOrEqual(0.2);
    expect(expected).toBeLessThanOrEqual(0.4);
    ts.clock.now = at(12, 14);
    await ts.service.scheduler.tick();
    const shown = `${Number(expected!.toFixed(3))} EUR · 12:15`;
    await page.waitForSelector(`#market-home [data-role=last]:has-text("${shown}")`, { timeout: 10_000 });
    await page.waitForSelector('#transactions td:has-text("dash-buyer")');
    expect(await page.locator('#market-home canvas').count()).toBeGreaterThan(0);
  });

  it('shows a continuous market\'s depth and the parties\' positions', async () => {
    const a = await ts.party('dash-a');
    const b = await ts.party('dash-b');
    for (const client of [a, b]) await ts.enrollApproved(client, FEEDER);
    await a.tender([{ tenderID: 'a1', product: priced(FEEDER, 'buy', 0.5, 3, at(12, 30)) }]);
    await b.tender([{ tenderID: 'b1', product: priced(FEEDER, 'sell', 0.45, 1, at(12, 30)) }]);
    await page.waitForSelector('#market-feeder-7 [data-role=books] td:has-text("2 @ 0.5")'); // 3 bid, 1 taken
    await page.waitForSelector('#market-feeder-7 [data-role=positions] td:has-text("dash-a (12:30)")');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });
  });
});
