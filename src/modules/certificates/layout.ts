// The certificate page: A4 portrait, a frame in the brand colour, the issuer's logo and name, the
// title, the earner's name (never cut: it shrinks, then wraps), the badge large in the middle (the
// template's image, or a medal drawn in vectors with the badge's initials), the badge's name,
// level and description, the dates, and at the foot the verification QR code and a signature line.
import QRCode from 'qrcode';
import { LEVEL_COLORS, type Palette } from './colors.js';
import type { Weight } from './fonts.js';
import type { GlyphWriter } from './glyphs.js';
import type { CertificateData, CertificateImages } from './pdf.js';
import { formatDate } from '../../shared/format.js';
import type { TextBlock, Typesetter } from './typeset.js';

export const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 64;
const BODY_WIDTH = A4.width - 2 * MARGIN;
const TOP = 52;
const FOOTER_TOP = 700;
const BADGE = 168;
const LEADING = 1.28;

interface Page {
  doc: PDFKit.PDFDocument;
  text: Typesetter;
  glyphs: GlyphWriter;
  colors: Palette;
}

/** One line of text centred on the page (or in [left, left + width]); returns its bottom. */
function centred(page: Page, text: string, weight: Weight, size: number, color: string, top: number, left = 0, width = A4.width): number {
  return block(page, { size, lines: [page.text.line(text, weight)] }, color, top, left, width);
}

/** A block of lines, each centred in [left, left + width], starting at `top`; returns its bottom. */
function block(page: Page, { size, lines }: TextBlock, color: string, top: number, left = 0, width = A4.width, align: 'center' | 'left' = 'center'): number {
  page.doc.fillColor(color);
  let y = top;
  for (const line of lines) {
    const x = align === 'center' ? left + (width - line.width * size) / 2 : left;
    // The baseline sits at about 0.95 em of a line's 1.28 em box for the Noto faces.
    page.glyphs.drawLine(line, x, y + size * 0.95, size);
    y += size * LEADING;
  }
  return y;
}

const height = ({ size, lines }: TextBlock) => size * LEADING * lines.length;

function frame({ doc, colors }: Page): void {
  doc.lineWidth(2.5).strokeColor(colors.brand).rect(18, 18, A4.width - 36, A4.height - 36).stroke();
  doc.lineWidth(0.75).strokeColor(colors.tint).rect(26, 26, A4.width - 52, A4.height - 52).stroke();
  // A small diamond at each inner corner.
  for (const [x, y] of [[26, 26], [A4.width - 26, 26], [26, A4.height - 26], [A4.width - 26, A4.height - 26]] as const) {
    doc.polygon([x, y - 5], [x + 5, y], [x, y + 5], [x - 5, y]).fillColor(colors.brand).fill();
  }
}

/** A short rule with a diamond in the middle, under the title. */
function ornament({ doc, colors }: Page, y: number): void {
  const middle = A4.width / 2;
  doc.lineWidth(0.75).strokeColor(colors.brand);
  doc.moveTo(middle - 60, y).lineTo(middle - 8, y).stroke();
  doc.moveTo(middle + 8, y).lineTo(middle + 60, y).stroke();
  doc.polygon([middle, y - 4], [middle + 4, y], [middle, y + 4], [middle - 4, y]).fillColor(colors.brand).fill();
}

/** Draws `image` fitted in the box; false when it cannot be drawn (a corrupt file is left out). */
function image(doc: PDFKit.PDFDocument, bytes: Buffer | null, x: number, y: number, width: number, boxHeight: number): boolean {
  if (!bytes) return false;
  try {
    doc.image(bytes, x, y, { fit: [width, boxHeight], align: 'center', valign: 'center' });
    return true;
  } catch {
    return false;
  }
}

/** The badge's initials: the first letter of its first two words (one for a single word). */
export function initials(name: string): string {
  const letters = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const first = (word: string) => letters.segment(word)[Symbol.iterator]().next().value?.segment ?? '';
  return name
    .split(/\s+/u)
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, 2)
    .map(first)
    .join('')
    .toLocaleUpperCase();
}

/** A medal: two ribbon tails behind a disc in the brand colour, the badge's initials on it. */
function medal(page: Page, name: string, top: number, size: number): void {
  const { doc, colors } = page;
  const cx = A4.width / 2;
  const radius = size * 0.36;
  const cy = top + radius + size * 0.04;
  const tail = (side: -1 | 1) => {
    const x = cx + side * radius * 0.45;
    const bottom = top + size;
    doc
      .polygon([x - radius * 0.3, cy], [x + radius * 0.3, cy], [x + side * radius * 0.25 + radius * 0.22, bottom], [x + side * radius * 0.25, bottom - radius * 0.22], [x + side * radius * 0.25 - radius * 0.22, bottom])
      .fillColor(colors.brandText)
      .fill();
  };
  tail(-1);
  tail(1);
  doc.circle(cx, cy, radius).fillColor(colors.brand).fill();
  doc.lineWidth(1.5).circle(cx, cy, radius * 0.84).strokeColor(colors.onBrand).stroke();
  const letters = initials(name);
  if (!letters) return;
  const fitted = page.text.fit(letters, { weight: 'bold', width: radius * 1.3, maxSize: radius * 0.8, minSize: 10, floorSize: 10, maxLines: 1 });
  block(page, fitted, colors.onBrand, cy - (fitted.size * LEADING) / 2);
}

/** The level as a small pill: "Level: Gold" on the metal's colour. */
function level(page: Page, award: CertificateData, top: number): number {
  if (award.template.level === 'NONE') return top;
  const colors = LEVEL_COLORS[award.template.level];
  const label = `Level: ${award.template.level[0]}${award.template.level.slice(1).toLowerCase()}`;
  const size = 10;
  const width = page.text.width(label, 'bold', size) + 20;
  page.doc.roundedRect((A4.width - width) / 2, top, width, 20, 10).fillColor(colors.fill).fill();
  centred(page, label, 'bold', size, colors.text, top + (20 - size * LEADING) / 2);
  return top + 20;
}

function footer(page: Page, award: CertificateData, qr: QRCode.QRCode): void {
  const { doc, colors, text } = page;
  const left = 50;
  const qrSize = 80;
  // The QR code as vector squares, with a quiet zone of one module around it.
  const cell = qrSize / (qr.modules.size + 2);
  for (let row = 0; row < qr.modules.size; row += 1) {
    for (let col = 0; col < qr.modules.size; col += 1) {
      if (qr.modules.get(row, col)) doc.rect(left + (col + 1) * cell, FOOTER_TOP + 20 + (row + 1) * cell, cell, cell);
    }
  }
  doc.fillColor('#000000').fill();

  const textLeft = left + qrSize + 10;
  const textWidth = 356 - textLeft;
  let y = FOOTER_TOP + 34;
  y = block(page, { size: 9.5, lines: [text.line('Verify this certificate', 'bold')] }, colors.ink, y, textLeft, textWidth, 'left') + 2;
  const url = text.fit(award.verificationUrl, { weight: 'regular', width: textWidth, maxSize: 8, minSize: 6, floorSize: 6, maxLines: 2 });
  doc.link(textLeft, y, textWidth, height(url), award.verificationUrl);
  y = block(page, url, colors.brandText, y, textLeft, textWidth, 'left') + 2;
  const id = text.fit(`Certificate ID: ${award.publicId}`, { weight: 'regular', width: textWidth, maxSize: 8, minSize: 6, floorSize: 6, maxLines: 2 });
  block(page, id, colors.muted, y, textLeft, textWidth, 'left');

  // The signature line, with the signatory's name and title under it.
  const signLeft = 372;
  const signWidth = A4.width - 50 - signLeft;
  const lineY = FOOTER_TOP + 62;
  doc.lineWidth(0.75).strokeColor(colors.ink).moveTo(signLeft, lineY).lineTo(signLeft + signWidth, lineY).stroke();
  const signatory = award.signatoryName?.trim() || award.organization.name;
  const name = text.fit(signatory, { weight: 'bold', width: signWidth, maxSize: 10.5, minSize: 8, floorSize: 6, maxLines: 2 });
  y = block(page, name, colors.ink, lineY + 4, signLeft, signWidth);
  const title = award.signatoryTitle?.trim() || (award.signatoryName?.trim() ? '' : 'Issuer');
  if (title) block(page, text.clamp(title, { weight: 'regular', width: signWidth, maxSize: 8.5, minSize: 7, maxLines: 2 }), colors.muted, y, signLeft, signWidth);
}

/** Draws the whole certificate on the document's first page. */
export function drawCertificate(page: Page, award: CertificateData, images: CertificateImages, now: Date): void {
  const { doc, colors, text } = page;
  frame(page);

  // Every block is measured first, so the badge can give way when long texts need the room.
  const organization = text.fit(award.organization.name, { weight: 'bold', width: BODY_WIDTH, maxSize: 13, minSize: 10, floorSize: 8, maxLines: 2 });
  // The name may use the whole width inside the frame: 200 wide characters then fit 3 lines at 7 pt.
  const recipient = text.fit(award.recipientName, { weight: 'bold', width: A4.width - 96, maxSize: 30, minSize: 18, floorSize: 7, maxLines: 3 });
  const badgeName = text.fit(award.template.name, { weight: 'bold', width: BODY_WIDTH, maxSize: 20, minSize: 15, floorSize: 10, maxLines: 3 });
  const description = text.clamp(award.template.description, { weight: 'regular', width: BODY_WIDTH - 40, maxSize: 11, minSize: 9, maxLines: 4 });
  const logo = images.organization ? 44 + 10 : 0;
  const levelHeight = award.template.level === 'NONE' ? 0 : 20 + 10;
  const fixed = logo + height(organization) + 18 + 28 + 22 + 16 + 10 + height(recipient) + 16 + 16 + 14 + 14 + height(badgeName) + 8 + levelHeight + height(description) + 14 + 15;
  const room = FOOTER_TOP - 16 - TOP;
  const badge = Math.max(72, Math.min(BADGE, room - fixed));
  let y = TOP + Math.max(0, (room - fixed - badge) / 2);

  if (images.organization && image(doc, images.organization, (A4.width - 160) / 2, y, 160, 44)) y += 44 + 10;
  y = block(page, organization, colors.ink, y) + 18;
  y = centred(page, 'CERTIFICATE OF ACHIEVEMENT', 'bold', 22, colors.brandText, y);
  ornament(page, y + 11);
  y += 22;
  y = centred(page, 'This certifies that', 'regular', 12, colors.muted, y) + 10;
  y = block(page, recipient, colors.ink, y);
  doc.lineWidth(0.75).strokeColor(colors.tint).moveTo(A4.width / 2 - 130, y + 6).lineTo(A4.width / 2 + 130, y + 6).stroke();
  y += 16;
  y = centred(page, 'has been awarded', 'regular', 12, colors.muted, y) + 14;
  if (!image(doc, images.template, (A4.width - badge) / 2, y, badge, badge)) medal(page, award.template.name, y, badge);
  y += badge + 14;
  y = block(page, badgeName, colors.ink, y) + 8;
  if (levelHeight) y = level(page, award, y) + 10;
  y = block(page, description, colors.ink, y, MARGIN + 20, BODY_WIDTH - 40) + 14;
  let dates = `Issued on ${formatDate(award.issuedAt)}`;
  if (award.expiresAt) dates += ` · ${award.expiresAt <= now ? 'Expired on' : 'Valid until'} ${formatDate(award.expiresAt)}`;
  centred(page, dates, 'regular', 11, colors.ink, y);

  footer(page, award, QRCode.create(award.verificationUrl, { errorCorrectionLevel: 'M' }));
}
