// The public side of an award: its certificate (a real PDF, checked with poppler's tools) and the
// public award page's data, both without an API key.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicAwardDocument, RejectAwardDocument, RevokeAwardDocument } from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

const execute = promisify(execFile);
/** A poppler tool's output; a missing tool says which package provides it. */
const run = (tool: string, args: string[]) =>
  execute(tool, args).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`${tool} is not installed: the certificate tests read PDFs with poppler-utils (apt-get install poppler-utils)`);
    throw error;
  });

let server: TestServer;
let org: TestOrganization;
let templateId: string;
let dir: string;
let images: Server;
let imagesUrl: string;
const imageRequests: string[] = [];

/** A valid 8×8 PNG, made here so the test needs no fixture file. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.from([0, ...Array.from({ length: 8 }, () => [29, 78, 216]).flat()])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'certificates-'));
  // Serves a logo, and a URL that never answers (a hostile or dead image host).
  images = createServer((request, response) => {
    imageRequests.push(request.url ?? '');
    if (request.url === '/logo.png') response.end(png());
    // /hang: never answered
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  server = await startServer({ CERTIFICATE_IMAGES: 'all' });
  org = await server.createOrganization('Ακαδημία Example Academy');
  // Set directly: the API accepts only URLs with a domain name, and this host is an IP literal.
  await server.app.deps.db.organization.update({ where: { id: org.id }, data: { imageUrl: `${imagesUrl}/logo.png` } });
  templateId = (await createActiveTemplate(org.client, { name: 'Certified Type Wrangler', description: 'Tames the type system.', level: 'GOLD' })).id;
});

afterAll(async () => {
  await server?.stop();
  images?.closeAllConnections();
  images?.close();
  await rm(dir, { recursive: true, force: true });
});

async function certificate(publicId: string) {
  return fetch(`${server.url}/awards/${publicId}/pdf`);
}

async function saved(publicId: string): Promise<string> {
  const response = await certificate(publicId);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const file = path.join(dir, `${publicId}.pdf`);
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

describe('certificate', () => {
  it('is one A4 page with the name, badge, level, dates, issuer and verification link as real text', async () => {
    const { award } = await issue(org.client, templateId, 'zoe@example.com', {
      recipient: { email: 'zoe@example.com', name: 'Zoë Ångström-Müller' },
      issuedAt: '2025-01-15',
      expiresAt: '2030-06-30',
    });
    const file = await saved(award.publicId);
    const info = (await run('pdfinfo', [file])).stdout;
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts/m);
    const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    for (const expected of [
      'Zoë Ångström-Müller',
      'Certified Type Wrangler',
      'Tames the type system.',
      'Level: Gold',
      'Issued on 15 January 2025',
      'Valid until 30 June 2030',
      'Ακαδημία Example Academy',
      award.publicUrl,
      `Certificate ID: ${award.publicId}`,
    ]) {
      expect(text).toContain(expected);
    }
    const fonts = (await run('pdffonts', [file])).stdout;
    expect(fonts).toMatch(/DejaVuSans.*yes\s+yes\s+yes/);
    // Page 1 renders to an image (poppler draws it without complaint).
    await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, 'page')]);
    expect((await stat(path.join(dir, 'page.png'))).size).toBeGreaterThan(5000);
    expect(imageRequests).toContain('/logo.png');
  });

  it('renders names in Latin with accents, Cyrillic and Greek', async () => {
    for (const name of ['Анна Каренина', 'Αλέξανδρος Παπαδόπουλος', 'François Ørsted-Łukasiewicz']) {
      const { award } = await issue(org.client, templateId, `${Buffer.from(name).toString('hex').slice(0, 16)}@example.com`, {
        recipient: { email: `${Buffer.from(name).toString('hex').slice(0, 16)}@example.com`, name },
      });
      const text = (await run('pdftotext', [await saved(award.publicId), '-'])).stdout;
      expect(text).toContain(name);
    }
  });

  it('is refused with 410 for revoked and rejected awards, 404 for unknown ids', async () => {
    const revoked = await issue(org.client, templateId, 'revoked@example.com');
    await org.client.data(RevokeAwardDocument, { id: revoked.award.id, reason: 'Issued by mistake.' });
    const gone = await certificate(revoked.award.publicId);
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).not.toBe('application/pdf');
    expect(await gone.text()).toContain('revoked');

    const rejected = await issue(org.client, templateId, 'rejected@example.com');
    await org.client.data(RejectAwardDocument, { id: rejected.award.id });
    expect((await certificate(rejected.award.publicId)).status).toBe(410);

    expect((await certificate('no-such-award-id')).status).toBe(404);
    expect((await fetch(`${server.url}/awards/${'x'.repeat(300)}/pdf`)).status).toBe(404);
    expect((await fetch(`${server.url}/awards/${revoked.award.publicId}/pdf`, { method: 'POST' })).status).toBe(405);
  });

  it('is still issued, quickly, when an image host never answers', async () => {
    const slow = await createActiveTemplate(org.client, { name: 'Slow image badge' });
    const { award } = await issue(org.client, slow.id, 'slow@example.com');
    // The award's own image, pointing at the host that never answers.
    await server.app.deps.db.award.update({ where: { publicId: award.publicId }, data: { imageUrl: `${imagesUrl}/hang` } });
    const started = Date.now();
    const text = (await run('pdftotext', [await saved(award.publicId), '-'])).stdout;
    expect(Date.now() - started).toBeLessThan(4000);
    expect(text).toContain('Slow image badge');
  });

  it('fetches no image from a private address under the default policy', async () => {
    const strict = await startServer();
    try {
      const other = await strict.createOrganization('Strict');
      await strict.app.deps.db.organization.update({ where: { id: other.id }, data: { imageUrl: `${imagesUrl}/logo.png?strict` } });
      const template = await createActiveTemplate(other.client, { name: 'Strict badge' });
      const { award } = await issue(other.client, template.id, 'strict@example.com');
      const response = await fetch(`${strict.url}/awards/${award.publicId}/pdf`);
      expect(response.status).toBe(200);
      expect(imageRequests).not.toContain('/logo.png?strict');
    } finally {
      await strict.stop();
    }
  });
});

describe('public award page data', () => {
  it('needs no API key and gives the page, certificate and LinkedIn links', async () => {
    const { award } = await issue(org.client, templateId, 'ada@example.com', {
      recipient: { email: 'ada@example.com', name: 'Ada Lovelace' },
      issuedAt: '2025-03-10',
      expiresAt: '2027-09-01',
    });
    const { publicAward } = await server.anonymous.data(PublicAwardDocument, { publicId: award.publicId });
    expect(publicAward).toMatchObject({
      publicId: award.publicId,
      earnerName: 'Ada Lovelace',
      status: 'PENDING',
      issuedAt: '2025-03-10T00:00:00.000Z',
      expiresAt: '2027-09-01T00:00:00.000Z',
      badge: { name: 'Certified Type Wrangler', description: 'Tames the type system.', level: 'GOLD' },
      issuer: { name: 'Ακαδημία Example Academy', imageUrl: `${imagesUrl}/logo.png` },
      verificationUrl: award.publicUrl,
      certificateUrl: `${award.publicUrl}/pdf`,
      certificateId: award.publicId,
    });
    const linkedIn = new URL(publicAward!.linkedInAddToProfileUrl!);
    expect(linkedIn.origin + linkedIn.pathname).toBe('https://www.linkedin.com/profile/add');
    expect(Object.fromEntries(linkedIn.searchParams)).toEqual({
      startTask: 'CERTIFICATION_NAME',
      name: 'Certified Type Wrangler',
      organizationName: 'Ακαδημία Example Academy',
      issueYear: '2025',
      issueMonth: '3',
      expirationYear: '2027',
      expirationMonth: '9',
      certUrl: award.publicUrl,
      certId: award.publicId,
    });
    // The certificate URL it gives is the one that serves the PDF.
    const pdf = await fetch(publicAward!.certificateUrl!.replace(server.app.deps.config.publicUrl, server.url));
    expect(pdf.status).toBe(200);
  });

  it('shows a revoked award as revoked, without certificate or LinkedIn link; unknown ids are null', async () => {
    const { award } = await issue(org.client, templateId, 'gone@example.com');
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Policy breach.' });
    const { publicAward } = await server.anonymous.data(PublicAwardDocument, { publicId: award.publicId });
    expect(publicAward).toMatchObject({ status: 'REVOKED', certificateUrl: null, linkedInAddToProfileUrl: null });
    expect(publicAward!.revokedAt).not.toBeNull();
    expect((await server.anonymous.data(PublicAwardDocument, { publicId: 'unknown' })).publicAward).toBeNull();
  });
});
