// The certificate: one A4 portrait page drawn with pdfkit. Text is real text in DejaVu Sans (from
// the dejavu-fonts-ttf package, so no system font is needed), embedded as a subset, which covers
// Latin with accents, Greek and Cyrillic. The QR code is drawn as vector squares.
import type { Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { formatDate, type PublicAward } from './service.js';

/** Parsed once per application: parsing DejaVu for every document cost ~25 ms per font. */
export interface Fonts {
  regular: Font;
  bold: Font;
}

export interface CertificateImages {
  organization: Buffer | null;
  template: Buffer | null;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const INK = '#1f2937';
const MUTED = '#6b7280';
const ACCENT = '#1d4ed8';

const LEVELS: Record<PublicAward['template']['level'], string | null> = {
  NONE: null,
  BRONZE: 'Bronze',
  SILVER: 'Silver',
  GOLD: 'Gold',
};

/** The largest font size from `max` down to `min` at which `text` fits on one line of `width`. */
function fittingSize(doc: PDFKit.PDFDocument, text: string, width: number, max: number, min: number): number {
  for (let size = max; size > min; size -= 1) {
    if (doc.fontSize(size).widthOfString(text) <= width) return size;
  }
  return min;
}

function drawQr(doc: PDFKit.PDFDocument, url: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const cell = size / (modules.size + 2); // a quiet zone of one module around it
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.get(row, col)) doc.rect(x + (col + 1) * cell, y + (row + 1) * cell, cell, cell);
    }
  }
  doc.fillColor('#000000').fill();
}

function drawImage(doc: PDFKit.PDFDocument, image: Buffer | null, y: number, height: number): number {
  if (!image) return y;
  try {
    const width = 200;
    doc.image(image, (A4.width - width) / 2, y, { fit: [width, height], align: 'center', valign: 'center' });
    return y + height + 12;
  } catch {
    return y; // a corrupt image is left out rather than failing the certificate
  }
}

export function renderCertificate(award: PublicAward, fonts: Fonts, images: CertificateImages, now: Date): Promise<Buffer> {
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
  // pdfkit accepts a parsed fontkit font in place of the file (its font factory checks for layout()).
  // fontkit caches glyph objects with the characters they were first laid out for, and pdfkit
  // builds each document's text mapping (what pdftotext and search read) from them, so a cache
  // left by another document can lose letters (seen: "Łukasiewicz" read back as "Ł kasiewicz").
  // Each document starts with empty glyph caches; the parsed tables, the costly part, are kept.
  // Safe because everything from here to doc.end() runs synchronously.
  for (const font of [fonts.regular, fonts.bold]) (font as unknown as { _glyphs: object })._glyphs = {};
  doc.registerFont('Regular', fonts.regular as unknown as Buffer);
  doc.registerFont('Bold', fonts.bold as unknown as Buffer);
  const width = A4.width - 2 * MARGIN;
  const line = (text: string, font: 'Regular' | 'Bold', size: number, color: string, y: number, height?: number) => {
    doc.font(font).fontSize(size).fillColor(color);
    const options = { width, align: 'center' as const, lineBreak: height !== undefined, ...(height ? { height, ellipsis: true } : {}) };
    doc.text(text, MARGIN, y, options);
    return doc.y;
  };

  // Frame
  doc.lineWidth(3).strokeColor(ACCENT).rect(20, 20, A4.width - 40, A4.height - 40).stroke();
  doc.lineWidth(0.75).rect(28, 28, A4.width - 56, A4.height - 56).stroke();

  let y = 56;
  y = drawImage(doc, images.organization, y, 56);
  y = line(award.organization.name, 'Bold', 14, INK, y) + 22;
  y = line('CERTIFICATE OF ACHIEVEMENT', 'Bold', 24, ACCENT, y) + 20;
  y = line('This certifies that', 'Regular', 12, MUTED, y) + 10;

  doc.font('Bold');
  const nameSize = fittingSize(doc, award.recipientName, width, 30, 12);
  y = line(award.recipientName, 'Bold', nameSize, INK, y, nameSize * 2.6) + 12;
  y = line('has been awarded', 'Regular', 12, MUTED, y) + 14;

  y = drawImage(doc, images.template, y, 110);
  y = line(award.template.name, 'Bold', 20, INK, y, 60) + 6;
  const level = LEVELS[award.template.level];
  if (level) y = line(`Level: ${level}`, 'Regular', 12, ACCENT, y) + 4;
  y = line(award.template.description, 'Regular', 10.5, INK, y + 6, 110) + 18;

  y = line(`Issued on ${formatDate(award.issuedAt)}`, 'Regular', 12, INK, y) + 4;
  if (award.expiresAt) {
    const verb = award.expiresAt <= now ? 'Expired on' : 'Valid until';
    line(`${verb} ${formatDate(award.expiresAt)}`, 'Regular', 12, INK, y);
  }

  // Verification block, anchored to the bottom of the page.
  const qrSize = 96;
  const bottom = A4.height - MARGIN - qrSize;
  drawQr(doc, award.verificationUrl, MARGIN, bottom, qrSize);
  const textX = MARGIN + qrSize + 14;
  const textWidth = A4.width - MARGIN - textX;
  doc.font('Bold').fontSize(10).fillColor(INK).text('Verify this certificate', textX, bottom + 16, { width: textWidth, lineBreak: false });
  doc.font('Regular').fontSize(9).fillColor(ACCENT).text(award.verificationUrl, textX, bottom + 32, {
    width: textWidth,
    height: 24,
    ellipsis: true,
    link: award.verificationUrl,
  });
  doc.fillColor(MUTED).text(`Certificate ID: ${award.publicId}`, textX, bottom + 60, { width: textWidth, lineBreak: false });

  doc.end();
  return done;
}
