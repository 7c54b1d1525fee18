// GraphiQL in a real browser (Debian's Chromium, driven by playwright-core): it loads with no
// network but this server's, and a subscription typed into it shows awards as they are issued.
// Run with `npm run test:browser`; CHROMIUM_PATH overrides /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveTemplate, issue } from '../helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from '../helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: TestServer;
let org: TestOrganization;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  server = await startServer();
  org = await server.createOrganization('Browser Academy');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('GraphiQL', () => {
  it('runs a subscription and shows each award as it is issued', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !/^(data|blob):/.test(request.url())) foreign.push(request.url());
    });
    await page.goto(`${server.url}/graphql`);
    const editors = page.locator('.monaco-editor');
    await editors.first().waitFor();

    // Editors: 0 the operation, 2 the headers (1 is the hidden variables tab), 3 the response.
    // Monaco draws spaces as no-break spaces.
    const shows = (text: string) =>
      page.waitForFunction((wanted) => document.body.innerText.replace(/\u00a0/g, ' ').includes(wanted), text, { timeout: 10_000 });
    const responseText = async () => (await editors.nth(3).innerText()).replace(/\u00a0/g, ' ');
    const fill = async (index: number, text: string) => {
      await editors.nth(index).click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(text);
    };
    await fill(0, 'subscription Live { awardIssued { change award { recipientName template { name } } } }');
    await fill(2, JSON.stringify({ 'X-Api-Key': org.apiKey }));
    const joined = server.app.subscriptions.stats.joined;
    await page.locator('button.graphiql-execute-button').click();
    await expect.poll(() => server.app.subscriptions.stats.joined, { timeout: 10_000 }).toBeGreaterThan(joined);

    const template = await createActiveTemplate(org.client, { name: 'Seen in the Browser', awardMode: 'REPEATABLE' });
    await issue(org.client, template.id, 'grace@example.com', { recipient: { email: 'grace@example.com', name: 'Grace Browser' } });
    await shows('Grace Browser');
    const response = await responseText();
    expect(response).toContain('"change": "ISSUED"');
    expect(response).toContain('Seen in the Browser');

    await issue(org.client, template.id, 'alan@example.com', { recipient: { email: 'alan@example.com', name: 'Alan Browser' } });
    await shows('Alan Browser');
    expect(foreign).toEqual([]);
    await page.close();
  });
});
