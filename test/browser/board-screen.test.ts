// The leaderboard screen in a real browser: it shows the published board's top, moves when points
// arrive, and says so when the board is unpublished, loading nothing but this server's.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddPointsDocument, PublishLeaderboardDocument, UnpublishLeaderboardDocument } from '../generated/graphql.js';
import { startServer, type TestOrganization, type TestServer } from '../helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: TestServer;
let org: TestOrganization;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  mkdirSync('test-results', { recursive: true });
  server = await startServer({ LEADERBOARD_UPDATE_SECONDS: '0.05' });
  org = await server.createOrganization('Screen Browser Guild');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  // The restart test has already stopped this server's app; this removes its database.
  await server?.stop().catch(() => {});
});

async function points(email: string, name: string, amount: number) {
  await org.client.data(AddPointsDocument, { input: { earner: { email, name }, category: 'screen', amount } });
}

describe('the leaderboard screen in a browser', () => {
  it('shows the top, moves when points arrive, and stops when unpublished', async () => {
    await points('ada@example.com', 'Ada Lovelace', 50);
    await points('alan@example.com', 'Alan Turing', 30);
    const { publishLeaderboard } = await org.client.data(PublishLeaderboardDocument, {
      input: { board: { metric: 'POINTS', category: 'screen' }, title: 'Screen Champions', first: 5 },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) foreign.push(request.url());
    });
    await page.goto(`${server.url}/boards/${publishLeaderboard.publicId}`);
    const names = () => page.locator('#entries .name').allTextContents();
    await expect.poll(names, { timeout: 10_000 }).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(await page.locator('h1').textContent()).toBe('Screen Champions');
    expect(await page.locator('#state').textContent()).toContain('Live');

    await points('alan@example.com', 'Alan Turing', 40);
    await expect.poll(names, { timeout: 10_000 }).toEqual(['Alan Turing', 'Ada Lovelace']);
    expect(await page.locator('#entries .entry').first().getAttribute('class')).toContain('up');
    expect(await page.locator('#entries .entry .score').first().textContent()).toBe('70');
    await page.waitForTimeout(800); // let the move animation finish
    await page.screenshot({ path: 'test-results/board-screen.png' });

    await org.client.data(UnpublishLeaderboardDocument, { publicId: publishLeaderboard.publicId });
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 10_000 }).toContain('no longer published');
    expect(await page.locator('#entries .entry').count()).toBe(0);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('reconnects by itself after the server restarts, saying meanwhile that it is stale', async () => {
    await points('grace@example.com', 'Grace Hopper', 10);
    const { publishLeaderboard } = await org.client.data(PublishLeaderboardDocument, {
      input: { board: { metric: 'POINTS', category: 'screen' }, title: 'Restart Champions', first: 5 },
    });
    const page = await browser.newPage();
    await page.goto(`${server.url}/boards/${publishLeaderboard.publicId}`);
    const state = () => page.locator('#state').textContent();
    await expect.poll(state, { timeout: 10_000 }).toContain('Live');

    // The same server, stopped and started again on the same port and database.
    await server.app.stop();
    await expect.poll(state, { timeout: 10_000 }).toContain('Reconnecting');
    const restarted = await startServer({ PORT: new URL(server.url).port, LEADERBOARD_UPDATE_SECONDS: '0.05' }, { alongside: server });
    try {
      await expect.poll(state, { timeout: 20_000 }).toContain('Live');
      await points('grace@example.com', 'Grace Hopper', 100);
      await expect.poll(() => page.locator('#entries .name').first().textContent(), { timeout: 10_000 }).toBe('Grace Hopper');
    } finally {
      await page.close();
      await restarted.stop();
    }
  });
});
