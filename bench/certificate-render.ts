// npm run bench:certificate — the certificate renderer alone (no server, no database): size of the
// PDF and time per render for a name in each script, mixed scripts and 200-character names,
// averaged over BENCH_RENDERS renders (default 50) after a warm-up pass (which parses the fonts). Each
// render has a name of its own (a number added), as a server's certificates do, so the name is
// shaped every time while the fixed wording comes from the shaping cache.
import { fontLibrary } from '../src/modules/certificates/fonts.js';
import { renderCertificate, type CertificateData } from '../src/modules/certificates/pdf.js';
import { table, writeResults } from './support.js';

const RENDERS = Number(process.env.BENCH_RENDERS ?? 50);

function award(recipientName: string, templateName: string, description: string): CertificateData {
  const publicId = 'b3nchmarkPubl1cId0123';
  const verificationUrl = `https://badges.example.org/awards/${publicId}`;
  return {
    awardId: 'award',
    organizationId: 'organization',
    publicId,
    recipientName,
    status: 'ACCEPTED',
    issuedAt: new Date('2025-01-15T00:00:00Z'),
    expiresAt: new Date('2027-01-15T00:00:00Z'),
    revokedAt: null,
    revokedReason: null,
    rejectedAt: null,
    template: { name: templateName, description, level: 'GOLD', imageUrl: null, criteriaNarrative: null, criteriaUrl: null },
    organization: { name: 'Example Academy', url: null, imageUrl: null },
    verificationUrl,
    certificateUrl: `${verificationUrl}/pdf`,
    linkedInAddToProfileUrl: null,
    signatoryName: 'Dr. Jane Smith',
    signatoryTitle: 'Head of Training',
  };
}

const description = 'Designs, builds and runs dependable services: tests first, measures before tuning, and writes down why.';
const cases: Array<[string, CertificateData]> = [
  ['Latin only', award('Zoë Ångström-Müller', 'Certified Type Wrangler', description)],
  ['Greek name', award('Ελένη Παπαδοπούλου', 'Certified Type Wrangler', description)],
  ['Cyrillic name', award('Иван Петров', 'Certified Type Wrangler', description)],
  ['Chinese name', award('王小明', 'Certified Type Wrangler', description)],
  ['Japanese name', award('佐藤 さくら', 'Certified Type Wrangler', description)],
  ['Korean name', award('김민준', 'Certified Type Wrangler', description)],
  ['Arabic name', award('محمد علي', 'Certified Type Wrangler', description)],
  ['Hebrew name', award('דוד כהן', 'Certified Type Wrangler', description)],
  ['Devanagari name', award('राहुल शर्मा', 'Certified Type Wrangler', description)],
  ['Thai name', award('สมชาย ใจดี', 'Certified Type Wrangler', description)],
  ['mixed: 8 scripts', award('王小明 · 김민준 · محمد علي · דוד כהן', 'सर्टिफाइड टाइप रैंगलर · ใบรับรอง · Ελληνικά · Русский', description)],
  ['200-character name', award('Maximilian Alexander von Hohenzollern-Sigmaringen '.repeat(4).slice(0, 200), 'Certified Type Wrangler', description)],
  ['200-character Chinese name', award('王小明张伟李娜刘洋陈静杨帆赵磊黄敏周杰吴婷'.repeat(10).slice(0, 200), 'Certified Type Wrangler', description)],
];

const fonts = fontLibrary();
const images = { organization: null, template: null };
const now = new Date('2025-06-01T00:00:00Z');
// A first pass over every case parses the fonts and warms the JIT; the second is measured.
for (const [, data] of cases) for (let i = 0; i < 10; i += 1) await renderCertificate({ ...data, recipientName: `${data.recipientName} w${i}` }, fonts, images, now);
const rows = [];
for (const [name, data] of cases) {
  const size = (await renderCertificate(data, fonts, images, now)).length;
  const started = performance.now();
  for (let i = 0; i < RENDERS; i += 1) await renderCertificate({ ...data, recipientName: `${data.recipientName} ${i + 1}` }, fonts, images, now);
  rows.push({ certificate: name, 'PDF bytes': size, 'ms per render': ((performance.now() - started) / RENDERS).toFixed(1) });
}
const context = `${RENDERS} renders each after one warm-up, one process`;
const markdown = table(rows);
console.log(`\n${context}\n`);
console.log(markdown);
await writeResults('certificate', 'The certificate renderer alone', { renders: RENDERS, rows }, `${context}.\n\n${markdown}`);
