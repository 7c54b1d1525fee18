// The public side of an award: its certificate (a real PDF, read back with pdf.js and drawn with
// @napi-rs/canvas, see helpers/pdf.ts) and the public award page's data, both without an API key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSignedTemplateDocument,
  PublicAwardDocument,
  RejectAwardDocument,
  RevokeAwardDocument,
  SetCertificateBrandingDocument,
  UpdateOrganizationDocument,
  UpdateTemplateSignatoryDocument,
} from './generated/graphql.js';
import { contrast, LEVEL_COLORS, palette } from '../src/modules/certificates/colors.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { inkOver, normalise, readPdf, renderPage, type PdfContent } from './helpers/pdf.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let templateId: string;
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
  // Serves a logo and a badge image, and a URL that never answers (a hostile or dead image host).
  images = createServer((request, response) => {
    imageRequests.push(request.url ?? '');
    if (request.url === '/logo.png' || request.url?.startsWith('/badge.png')) response.end(png());
    // /hang: never answered
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  server = await startServer({ CERTIFICATE_IMAGES: 'all' });
  org = await server.createOrganization('Ακαδημία Example Academy');
  // An IP-literal host is a valid logo URL; CERTIFICATE_IMAGES=all lets the certificate fetch it.
  await org.client.data(UpdateOrganizationDocument, { input: { imageUrl: `${imagesUrl}/logo.png` } });
  templateId = (await createActiveTemplate(org.client, { name: 'Certified Type Wrangler', description: 'Tames the type system.', level: 'GOLD' })).id;
});

afterAll(async () => {
  await server?.stop();
  images?.closeAllConnections();
  images?.close();
});

async function certificate(publicId: string) {
  return fetch(`${server.url}/awards/${publicId}/pdf`);
}

async function pdfOf(publicId: string): Promise<Uint8Array> {
  const response = await certificate(publicId);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  return new Uint8Array(await response.arrayBuffer());
}

/** The lines between "This certifies that" and "has been awarded": the earner's name. */
function nameLines(pdf: PdfContent): string[] {
  const texts = pdf.lines.map((line) => line.text);
  return texts.slice(texts.indexOf('This certifies that') + 1, texts.indexOf('has been awarded'));
}

let recipients = 0;
async function issueTo(name: string, template = templateId) {
  recipients += 1;
  const email = `recipient${recipients}@example.com`;
  return (await issue(org.client, template, email, { recipient: { email, name } })).award;
}

describe('certificate', () => {
  it('is one A4 page with the name, badge, level, dates, issuer and verification link as real text', async () => {
    const { award } = await issue(org.client, templateId, 'zoe@example.com', {
      recipient: { email: 'zoe@example.com', name: 'Zoë Ångström-Müller' },
      issuedAt: '2025-01-15',
      expiresAt: '2030-06-30',
    });
    const bytes = await pdfOf(award.publicId);
    const pdf = await readPdf(bytes);
    expect(pdf.pages).toBe(1);
    expect([pdf.width, pdf.height]).toEqual([595.28, 841.89]);
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
      expect(pdf.text).toContain(expected);
    }
    expect(nameLines(pdf)).toEqual(['Zoë Ångström-Müller']);
    // Noto Sans, embedded: no other font and no system font is drawn with.
    expect(pdf.fonts).toEqual(['NotoSans-Bold', 'NotoSans-Regular']);
    // The logo is an image; the template has none, so the badge is the drawn medal with its initials.
    expect(imageRequests).toContain('/logo.png');
    expect(pdf.images).toBe(1);
    expect(pdf.lines.map((line) => line.text)).toContain('CT');
    // No signatory is known yet: the organization signs, as the issuer.
    expect(pdf.text).toMatch(/Ακαδημία Example Academy\nIssuer$/);
    // The page draws (pdf.js renders it without a system font), and the name is ink on it.
    const page = await renderPage(bytes);
    const name = pdf.lines.find((line) => line.text === 'Zoë Ångström-Müller')!;
    expect(inkOver(page, name)).toBeGreaterThan(0.05);
    expect(inkOver(page, { x: 34, y: 300, width: 20, height: 20 })).toBe(0); // a margin: blank
  });

  it.each([
    ['Chinese', '王小明', /^NotoSansHans-Bold$/],
    ['Japanese', '佐藤 さくら', /^NotoSansJP-Bold$/],
    ['Korean', '김민준', /^NotoSansKR-Bold$/],
    ['Arabic', 'محمد علي', /Arabic/],
    ['Hebrew', 'דוד כהן', /Hebrew/],
    ['Hindi (Devanagari)', 'राहुल शर्मा', /Devanagari/],
    ['Thai', 'สมชาย ใจดี', /Thai/],
    ['Greek', 'Ελένη Παπαδοπούλου', /^NotoSans-Bold$/],
    ['Cyrillic', 'Иван Петров', /^NotoSans-Bold$/],
    ['Latin with accents', 'François Ørsted-Łukasiewicz', /^NotoSans-Bold$/],
  ])('draws a %s name in its own font and reads it back in logical order', async (_script, name, font) => {
    const award = await issueTo(name);
    expect(award.recipientName).toBe(name);
    const bytes = await pdfOf(award.publicId);
    const pdf = await readPdf(bytes);
    expect(nameLines(pdf)).toEqual([normalise(name)]);
    expect(pdf.fonts.some((used) => font.test(used))).toBe(true);
    const page = await renderPage(bytes);
    expect(inkOver(page, pdf.lines.find((line) => line.text === normalise(name))!)).toBeGreaterThan(0.05);
  });

  it('never cuts a 200-character name: it shrinks, then wraps onto at most 3 lines', async () => {
    const latin = 'Maximilian Alexander von Hohenzollern-Sigmaringen '.repeat(4).slice(0, 200).trim();
    const chinese = '王小明张伟李娜刘洋陈静杨帆赵磊黄敏周杰吴婷'.repeat(10).slice(0, 200);
    for (const name of [latin, chinese]) {
      const pdf = await readPdf(await pdfOf((await issueTo(name)).publicId));
      const lines = nameLines(pdf);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(lines.join('').replace(/\s/gu, '')).toBe(name.replace(/\s/gu, ''));
      expect(pdf.text).not.toContain('…');
    }
  });

  it('wraps a long badge name whole, and ellipsizes only a very long description', async () => {
    const name = 'Advanced Practitioner in Distributed Systems Reliability Engineering and Incident Response Leadership';
    const description = 'Awarded for sustained excellence in building reliable, well-tested and accessible software. '.repeat(30).trim();
    const template = await createActiveTemplate(org.client, { name, description });
    const pdf = await readPdf(await pdfOf((await issueTo('Ada Lovelace', template.id)).publicId));
    const texts = pdf.lines.map((line) => line.text);
    const first = texts.findIndex((line) => name.startsWith(line));
    expect(texts.slice(first, first + 2).join(' ')).toBe(name);
    const shown = texts.filter((line) => line.startsWith('Awarded for') || line.includes('software'));
    expect(shown.length).toBeLessThanOrEqual(4);
    expect(shown.at(-1)).toMatch(/…$/);
  });

  it('with CERTIFICATE_IMAGES=all, draws a badge image served from an IP address', async () => {
    const template = await createActiveTemplate(org.client, { name: 'Imaged badge', imageUrl: `${imagesUrl}/badge.png` });
    const pdf = await readPdf(await pdfOf((await issueTo('Grace Hopper', template.id)).publicId));
    expect(imageRequests).toContain('/badge.png');
    expect(pdf.images).toBe(2); // the logo and the badge
    expect(pdf.lines.map((line) => line.text)).not.toContain('IB'); // no drawn medal
  });

  it('with CERTIFICATE_IMAGES=all, draws a badge image from a single-label host', async () => {
    // localhost is a single-label name, as an intranet host would be; the input check accepts it.
    const imageUrl = `${imagesUrl.replace('127.0.0.1', 'localhost')}/badge.png?single-label`;
    const template = await createActiveTemplate(org.client, { name: 'Intranet badge', imageUrl });
    expect(template.imageUrl).toBe(imageUrl);
    const pdf = await readPdf(await pdfOf((await issueTo('Grace Hopper', template.id)).publicId));
    expect(imageRequests).toContain('/badge.png?single-label');
    expect(pdf.images).toBe(2);
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
    const pdf = await readPdf(await pdfOf(award.publicId));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(pdf.text).toContain('Slow image badge');
  });

  it('fetches no image from a private address under the default policy', async () => {
    const strict = await startServer();
    try {
      const other = await strict.createOrganization('Strict');
      await other.client.data(UpdateOrganizationDocument, { input: { imageUrl: `${imagesUrl}/logo.png?strict` } });
      const template = await createActiveTemplate(other.client, { name: 'Strict badge', imageUrl: `${imagesUrl}/badge.png?strict` });
      const { award } = await issue(other.client, template.id, 'strict@example.com');
      const response = await fetch(`${strict.url}/awards/${award.publicId}/pdf`);
      expect(response.status).toBe(200);
      expect((await readPdf(new Uint8Array(await response.arrayBuffer()))).images).toBe(0);
      expect(imageRequests).not.toContain('/logo.png?strict');
      expect(imageRequests).not.toContain('/badge.png?strict');
    } finally {
      await strict.stop();
    }
  });
});

describe('certificate signatory and brand colour', () => {
  let signing: TestOrganization;
  beforeAll(async () => {
    signing = await server.createOrganization('Signing Academy');
  });

  async function signedPdf(templateId: string, name: string) {
    recipients += 1;
    const email = `signed${recipients}@example.com`;
    const { award } = await issue(signing.client, templateId, email, { recipient: { email, name } });
    return readPdf(await pdfOf(award.publicId));
  }

  it('signs with the organization’s signatory and keeps every text readable on a light brand colour', async () => {
    const { updateOrganization } = await signing.client.data(SetCertificateBrandingDocument, {
      input: { brandColor: '#FD0', signatoryName: ' Dr. Jane Smith ', signatoryTitle: 'Head of Training' },
    });
    // #rgb is kept as lower-case #rrggbb; names are trimmed.
    expect(updateOrganization.organization).toMatchObject({ brandColor: '#ffdd00', signatoryName: 'Dr. Jane Smith', signatoryTitle: 'Head of Training' });
    const template = await createActiveTemplate(signing.client, { name: 'Signed badge', level: 'GOLD' });
    const pdf = await signedPdf(template.id, 'Ada Lovelace');
    expect(pdf.text).toMatch(/Dr\. Jane Smith\nHead of Training$/);
    const colors = palette('#ffdd00');
    expect(pdf.textColors).toContain(colors.brandText); // darkened from the yellow brand colour
    for (const color of pdf.textColors) {
      if (color === colors.onBrand || color === LEVEL_COLORS.GOLD.text) continue; // on the medal and the level pill
      expect(contrast(color, '#ffffff'), color).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(colors.onBrand, colors.brand)).toBeGreaterThanOrEqual(3); // large initials
  });

  it('signs with the template’s signatory when it names one, in any script, without a new version', async () => {
    const created = await signing.client.data(CreateSignedTemplateDocument, {
      input: { name: 'Arabic-signed badge', description: 'Signed in Arabic.', activate: true, signatoryName: 'أحمد منصور', signatoryTitle: 'مدير التدريب' },
    });
    const template = created.createBadgeTemplate.badgeTemplate;
    expect(template).toMatchObject({ signatoryName: 'أحمد منصور', signatoryTitle: 'مدير التدريب' });
    const arabic = await signedPdf(template.id, 'Grace Hopper');
    expect(arabic.text).toMatch(/أحمد منصور\nمدير التدريب$/);
    expect(arabic.text).not.toContain('Jane Smith');

    // The title goes with its name: a template naming only a title still signs with the organization's pair.
    const { updateBadgeTemplate } = await signing.client.data(UpdateTemplateSignatoryDocument, {
      input: { id: template.id, signatoryName: null, signatoryTitle: 'Dean' },
    });
    expect(updateBadgeTemplate).toMatchObject({ newVersionCreated: false, badgeTemplate: { version: 1, signatoryName: null, signatoryTitle: 'Dean' } });
    expect((await signedPdf(template.id, 'Grace Hopper')).text).toMatch(/Dr\. Jane Smith\nHead of Training$/);
  });

  it('refuses a bad brand colour or signatory, naming the field and rule, and changes nothing', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ brandColor: 'blue' }, 'brandColor', 'hexColor'],
      [{ brandColor: '#12345' }, 'brandColor', 'hexColor'],
      [{ signatoryName: 'Jane\nSmith' }, 'signatoryName', 'singleLine'],
      [{ signatoryTitle: 'x'.repeat(101) }, 'signatoryTitle', 'maxLength'],
    ];
    for (const [input, field, rule] of cases) {
      const error = await signing.client.error(SetCertificateBrandingDocument, { input: { name: 'Renamed', ...input } });
      expect(error.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field, rule });
    }
    const { updateOrganization } = await signing.client.data(SetCertificateBrandingDocument, { input: {} });
    expect(updateOrganization.organization).toMatchObject({ brandColor: '#ffdd00', signatoryName: 'Dr. Jane Smith', signatoryTitle: 'Head of Training' });
    const error = await signing.client.error(CreateSignedTemplateDocument, { input: { name: 'Bad', description: 'Bad.', signatoryName: 'A\r\nB' } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signatoryName', rule: 'singleLine' });
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
