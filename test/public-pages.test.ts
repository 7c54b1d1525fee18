// The award page every public link points to: server-rendered HTML without an API key, with the
// status in words, every database string escaped, nothing loaded from another host, sharing meta
// tags, white-label scoping, and 410 for a deleted award.
import { createServer, type Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteAwardDocument, RejectAwardDocument, RevokeAwardDocument, UpdateOrganizationDocument } from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let other: TestOrganization;
let templateId: string;
let images: Server;
let logoUrl: string;
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  images = createServer((_request, response) => response.end(PNG));
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  logoUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/logo.png`;
  server = await startServer({ CERTIFICATE_IMAGES: 'all' });
  org = await server.createOrganization('Guild of <Pages> & Co');
  await org.client.data(UpdateOrganizationDocument, { input: { imageUrl: logoUrl, url: 'https://guild.example' } });
  other = await server.createOrganization('Other Guild', 'badges.other.test');
  ({ id: templateId } = await createActiveTemplate(org.client, {
    name: 'Careful Reader',
    description: 'Reads every page with care.',
    criteriaNarrative: 'Read ten pages.',
    level: 'GOLD',
    awardMode: 'REPEATABLE',
  }));
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => images?.close(resolve));
});

async function page(publicId: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/awards/${publicId}`, { headers });
  return { response, html: await response.text() };
}

function meta(html: string, property: string): string | undefined {
  return new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)"`).exec(html)?.[1];
}

/** Every address the page itself loads (stylesheets, scripts, images). */
function loaded(html: string): string[] {
  return [...html.matchAll(/<(?:img|script)[^>]* src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"/g)].map((match) => match[1] ?? match[2]!);
}

/** What the HTML standard's rules (html-validate) find wrong in a page: nothing for a valid one. */
async function htmlProblems(html: string): Promise<string[]> {
  const report = await new HtmlValidate({ extends: ['html-validate:standard'] }).validateString(html);
  return report.results.flatMap((result) => result.messages.map((message) => `${message.ruleId}: ${message.message}`));
}

function statusCodeOnHost(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the award page', () => {
  it('shows a valid award with its badge, earner, issuer, dates and actions, loading nothing from elsewhere', async () => {
    const { award } = await issue(org.client, templateId, 'reader@example.com', {
      recipient: { email: 'reader@example.com', name: 'Zoë <script>alert(1)</script> Reader' },
      accepted: true,
    });
    const { response, html } = await page(award.publicId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(await htmlProblems(html)).toEqual([]);

    // Every string from the database is text, never markup.
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('Zoë &lt;script&gt;alert(1)&lt;/script&gt; Reader');
    expect(html).toContain('Guild of &lt;Pages&gt; &amp; Co');

    expect(html).toContain('<h1 id="badge-title">Careful Reader</h1>');
    expect(html).toContain('Gold level');
    expect(html).toContain('<strong>Valid</strong>');
    expect(html).toContain('Read ten pages.');
    expect(html).toContain(`href="/awards/${award.publicId}/pdf"`);
    expect(html).toContain('https://www.linkedin.com/profile/add?');
    for (const network of ['LINKEDIN', 'TWITTER', 'FACEBOOK', 'WHATSAPP', 'TELEGRAM', 'EMAIL', 'COPY']) {
      expect(html).toContain(`data-network="${network}"`);
    }

    // Sharing: absolute OpenGraph and Twitter Card data, the canonical URL, the credential linked.
    expect(meta(html, 'og:url')).toBe(award.publicUrl);
    expect(meta(html, 'og:image')).toBe(`${award.publicUrl}/badge.png`);
    expect(meta(html, 'og:title')).toContain('Careful Reader');
    expect(meta(html, 'twitter:card')).toBe('summary');
    expect(html).toContain(`<link rel="alternate" type="application/ld+json" href="${award.publicUrl}/credential"`);

    // The page loads only from this server, and each of those loads answers.
    const addresses = loaded(html);
    expect(addresses.length).toBeGreaterThanOrEqual(4);
    for (const address of addresses) {
      expect(address.startsWith('/'), address).toBe(true);
      const asset = await fetch(`${server.url}${address}`);
      expect(asset.status, address).toBe(200);
    }
    expect((await fetch(`${server.url}/awards/${award.publicId}/logo`)).headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${server.url}/assets/award-page.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);

    // Revalidation: an unchanged page is a 304.
    const etag = response.headers.get('etag')!;
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${server.url}/awards/${award.publicId}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('says pending acceptance, expired since when, and revoked with the reason, without the certificate', async () => {
    const { award: pending } = await issue(org.client, templateId, 'pending@example.com');
    expect((await page(pending.publicId)).html).toContain('<strong>Pending acceptance</strong>');

    const now = server.clock.now();
    const { award: expiring } = await issue(org.client, templateId, 'expiring@example.com', {
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    server.clock.advance(2 * 86_400_000);
    try {
      const { html } = await page(expiring.publicId);
      expect(html).toContain('<strong>Expired</strong>');
      expect(html).toContain('This award expired on <time');
      expect(html).toContain('Download the certificate');
    } finally {
      server.clock.advance(-2 * 86_400_000);
    }

    const { award: revoked } = await issue(org.client, templateId, 'revoked@example.com');
    await org.client.data(RevokeAwardDocument, { id: revoked.id, reason: 'Issued to the wrong <person>' });
    const { response, html } = await page(revoked.publicId);
    expect(response.status).toBe(200);
    expect(html).toContain('<strong>Revoked</strong>');
    expect(html).toContain('Reason given: “Issued to the wrong &lt;person&gt;”');
    expect(html).not.toContain('/pdf"');
    expect(html).not.toContain('linkedin.com/profile/add');
    expect(await htmlProblems(html)).toEqual([]);

    const { award: rejected } = await issue(org.client, templateId, 'rejected@example.com');
    await org.client.data(RejectAwardDocument, { id: rejected.id, reason: 'Not mine' });
    expect((await page(rejected.publicId)).html).toContain('<strong>Declined</strong>');
  });

  it('answers 404 for an unknown id and 410 for a deleted award, as pages', async () => {
    const unknown = await page('NoSuchAwardAtAll12345');
    expect(unknown.response.status).toBe(404);
    expect(unknown.html).toContain('No award has this address.');
    const { award } = await issue(org.client, templateId, 'deleted@example.com');
    await org.client.data(DeleteAwardDocument, { id: award.id });
    const gone = await page(award.publicId);
    expect(gone.response.status).toBe(410);
    expect(gone.html).toContain('Award deleted');
    expect(await htmlProblems(gone.html)).toEqual([]);
  });

  it('on a white-label host, shows only that organization’s awards', async () => {
    const { award: ours } = await issue(org.client, templateId, 'whitelabel@example.com');
    const { award: theirs } = await issue(other.client, (await createActiveTemplate(other.client)).id, 'theirs@example.com');
    expect(await statusCodeOnHost(`/awards/${ours.publicId}`, 'badges.other.test')).toBe(404);
    expect(await statusCodeOnHost(`/awards/${ours.publicId}/logo`, 'badges.other.test')).toBe(404);
    expect(await statusCodeOnHost(`/awards/${theirs.publicId}`, 'badges.other.test')).toBe(200);
    expect(theirs.publicUrl).toBe(`https://badges.other.test/awards/${theirs.publicId}`);
    // The main host serves every organization.
    expect((await page(theirs.publicId)).response.status).toBe(200);
  });
});
