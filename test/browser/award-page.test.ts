// The award page in a real browser (Debian's Chromium through playwright-core), valid, pending,
// expired, revoked and on a white-label host: it loads nothing
// but this server's, checks the signed credential and shows "Verified", counts the view and a
// share once each, reads well at 320 px, and has no serious accessibility violations (axe-core).
// Screenshots go to test-results/. Run with `npm run test:browser`.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeAwardDocument } from '../generated/graphql.js';
import { createActiveTemplate, issue } from '../helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from '../helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = 'test-results';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server: TestServer;
let org: TestOrganization;
let browser: Browser;
let templateId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServer();
  org = await server.createOrganization('Browser Guild');
  ({ id: templateId } = await createActiveTemplate(org.client, {
    name: 'Seen in a Browser',
    description: 'Shows that the award page works where people read it.',
    criteriaNarrative: 'Open the page.',
    level: 'SILVER',
    awardMode: 'REPEATABLE',
  }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function counters(publicId: string) {
  const result = await server.anonymous.raw<{ awardEngagement: { views: number; shares: { total: number } } }>(
    'query ($publicId: String!) { awardEngagement(publicId: $publicId) { views shares { total } } }',
    { publicId },
  );
  return result.data!.awardEngagement;
}

/** Opens the page and records every request that leaves this server. */
async function open(publicId: string, viewport = { width: 1280, height: 900 }, options: { bypassCSP?: boolean } = {}) {
  const context = await browser.newContext({ viewport, bypassCSP: options.bypassCSP ?? false });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url) && !/^(data|blob):/.test(request.url())) foreign.push(request.url());
  });
  await page.goto(`${server.url}/awards/${publicId}`);
  return { page, foreign, close: () => context.close() };
}

async function verificationText(page: Page): Promise<string> {
  await page.waitForFunction(() => /Verified|Not verified/.test(document.getElementById('verification')?.textContent ?? ''), undefined, { timeout: 15_000 });
  return (await page.locator('#verification').textContent()) ?? '';
}

describe('the award page in a browser', () => {
  it('verifies the credential, counts the view and a share once, and loads nothing from elsewhere', async () => {
    const { award } = await issue(org.client, templateId, 'browser@example.com', {
      recipient: { email: 'browser@example.com', name: 'Ada Browser' },
      accepted: true,
    });
    const { page, foreign, close } = await open(award.publicId);
    expect(await verificationText(page)).toContain('✓ Verified');
    await expect.poll(async () => (await counters(award.publicId)).views, { timeout: 5_000 }).toBe(1);
    expect(await page.locator('h1').textContent()).toBe('Seen in a Browser');
    expect(await page.locator('.status').textContent()).toContain('Valid');

    // Keyboard: Tab reaches every action, in page order, the last being the baked badge image.
    const actions = await page.locator('a[href], button').count();
    const reached: string[] = [];
    for (let press = 0; press < actions; press += 1) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    expect(reached).toContain('Download the certificate (PDF)');
    expect(reached).toContain('Copy link');
    expect(reached.at(-1)).toBe('Badge image with the credential inside (PNG)');

    // Copy link: counted once, however often it is pressed (the server's 24-hour dedup).
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(async () => (await counters(award.publicId)).shares.total, { timeout: 5_000 }).toBe(1);
    await page.getByRole('button', { name: /Copy link|Link copied/ }).click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await counters(award.publicId)).shares.total).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(award.publicUrl);

    await page.screenshot({ path: `${SCREENSHOTS}/award-page-valid.png`, fullPage: true });
    expect(foreign).toEqual([]);
    await close();
  });

  it('counts each share button once, however often it is pressed, and links each network right', async () => {
    const { award } = await issue(org.client, templateId, 'sharer@example.com', { accepted: true });
    const { page, close } = await open(award.publicId);
    // The share targets are other sites: their pages are not loaded here.
    await page.context().route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    page.context().on('page', (popup) => void popup.close());
    const buttons = page.locator('.share [data-network]');
    const networks = await buttons.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-network')));
    expect(networks).toEqual(['LINKEDIN', 'TWITTER', 'FACEBOOK', 'WHATSAPP', 'TELEGRAM', 'EMAIL', 'COPY']);
    for (let round = 0; round < 2; round += 1) {
      for (let index = 0; index < networks.length; index += 1) await buttons.nth(index).click();
    }
    await expect.poll(async () => (await counters(award.publicId)).shares.total, { timeout: 5_000 }).toBe(networks.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await counters(award.publicId)).shares.total).toBe(networks.length);
    const hrefOf = (network: string) => page.locator(`[data-network="${network}"]`).getAttribute('href');
    expect(await hrefOf('LINKEDIN')).toBe(`https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(award.publicUrl)}`);
    expect(await hrefOf('FACEBOOK')).toBe(`https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(award.publicUrl)}`);
    expect(await page.getByRole('link', { name: 'Add to LinkedIn profile' }).getAttribute('href')).toContain(
      `certUrl=${encodeURIComponent(award.publicUrl)}`,
    );
    await close();
  });

  it('is usable at 320 px wide', async () => {
    const { award } = await issue(org.client, templateId, 'narrow@example.com', {
      recipient: { email: 'narrow@example.com', name: 'Maximiliana Wolfeschlegelsteinhausenbergerdorff Narrowscreen' },
    });
    const { page, close } = await open(award.publicId, { width: 320, height: 640 });
    await verificationText(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    expect(await page.locator('.status').textContent()).toContain('Pending acceptance');
    await page.screenshot({ path: `${SCREENSHOTS}/award-page-320px.png`, fullPage: true });
    await close();
  });

  it('says a revoked award is revoked, and its credential does not verify', async () => {
    const { award } = await issue(org.client, templateId, 'revoked-browser@example.com');
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Given by mistake' });
    const { page, close } = await open(award.publicId);
    expect(await verificationText(page)).toContain('✗ Not verified: status');
    expect(await page.locator('.status').textContent()).toContain('Given by mistake');
    await page.screenshot({ path: `${SCREENSHOTS}/award-page-revoked.png`, fullPage: true });
    await close();
  });

  it('says an expired award has expired, and since when', async () => {
    const { award } = await issue(org.client, templateId, 'expired-browser@example.com', {
      issuedAt: '2021-03-01T00:00:00Z',
      expiresAt: '2022-03-01T00:00:00Z',
      accepted: true,
    });
    const { page, foreign, close } = await open(award.publicId);
    expect(await verificationText(page)).toContain('✗ Not verified');
    const status = (await page.locator('.status').textContent()) ?? '';
    expect(status).toContain('Expired');
    expect(status).toContain('2022');
    await page.screenshot({ path: `${SCREENSHOTS}/award-page-expired.png`, fullPage: true });
    expect(foreign).toEqual([]);
    await close();
  });

  it('on a white-label host, shows that organization’s awards under its name, and no other organization’s', async () => {
    const host = 'badges.whitelabel.test';
    const whitelabel = await server.createOrganization('White Label Academy', host);
    const own = await issue(whitelabel.client, (await createActiveTemplate(whitelabel.client, { name: 'Academy Graduate' })).id, 'wl@example.com');
    const foreignAward = await issue(org.client, templateId, 'not-on-wl@example.com');
    // The browser reaches the host through the test server as its proxy, so it sends the
    // white-label name in Host exactly as it would in production.
    const context = await browser.newContext({ proxy: { server: server.url } });
    const page = await context.newPage();
    const ownResponse = await page.goto(`http://${host}/awards/${own.award.publicId}`);
    expect(ownResponse?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Academy Graduate');
    expect(await page.locator('body').textContent()).toContain('White Label Academy');
    await page.screenshot({ path: `${SCREENSHOTS}/award-page-whitelabel.png`, fullPage: true });
    const foreignResponse = await page.goto(`http://${host}/awards/${foreignAward.award.publicId}`);
    expect(foreignResponse?.status()).toBe(404);
    expect(await page.locator('body').textContent()).not.toContain('Browser Guild');
    await context.close();
  });

  it('has no serious or critical accessibility violations (axe-core, WCAG 2.1 AA)', async () => {
    const { award } = await issue(org.client, templateId, 'axe@example.com', { accepted: true });
    // axe is injected as a script, which the page's own CSP would refuse.
    const { page, close } = await open(award.publicId, undefined, { bypassCSP: true });
    await verificationText(page);
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.length }));
    });
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
    await close();
  });
});
