// The certificate as a PDF: one A4 page (layout.ts) whose text is real text in Noto fonts for
// every script (fonts.ts), shaped and ordered for display (shaping.ts), and extractable in the
// order it is written (glyphs.ts). A pure function of its inputs: the same award, fonts, images
// and moment give the same document.
import PDFDocument from 'pdfkit';
import { palette } from './colors.js';
import type { FontLibrary } from './fonts.js';
import { GlyphWriter } from './glyphs.js';
import { drawCertificate } from './layout.js';
import type { PublicAward } from '../awards/index.js';
import { Typesetter } from './typeset.js';

/** What a certificate shows: the public award, and how the organization signs and brands it. */
export interface CertificateData extends PublicAward {
  /** Who signs (under the signature line); by default the organization's name. */
  signatoryName?: string | null;
  /** The signatory's title, e.g. "Head of Training"; by default "Issuer" when no name is given. */
  signatoryTitle?: string | null;
  /** The organization's brand colour, #rrggbb or #rgb; by default a deep blue. */
  brandColor?: string | null;
}

export interface CertificateImages {
  organization: Buffer | null;
  template: Buffer | null;
}

export function renderCertificate(award: CertificateData, fonts: FontLibrary, images: CertificateImages, now: Date): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'portrait',
    margin: 0,
    autoFirstPage: true,
    // No default font: pdfkit would parse Helvetica's metrics for every document, unused here.
    font: null as unknown as string,
    info: {
      Title: `${award.template.name} — ${award.recipientName}`,
      Author: award.organization.name,
      Subject: `Certificate ${award.publicId}`,
      Creator: 'Badges',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const page = { doc, text: new Typesetter(fonts), glyphs: new GlyphWriter(doc, [fonts.primary('regular'), fonts.primary('bold')]), colors: palette(award.brandColor) };
  drawCertificate(page, award, images, now);
  doc.end();
  return done;
}
