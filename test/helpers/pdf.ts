// Reads PDFs in tests with pdf.js (pdfjs-dist, its Node build) and renders pages with
// @napi-rs/canvas (a prebuilt binary from npm): no system package, no system font. Text comes back
// as pdf.js extracts it, line by line, the way a viewer's search or copy would read it.
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, OPS, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';

export interface TextLine {
  /** The line's text, whitespace collapsed. */
  text: string;
  /** Left end and baseline, in PDF points from the page's bottom left. */
  x: number;
  y: number;
  width: number;
  /** The font size. */
  height: number;
}

export interface PdfContent {
  pages: number;
  /** Page 1's size in points. */
  width: number;
  height: number;
  /** Page 1's text lines, top to bottom. */
  lines: TextLine[];
  /** Page 1's lines joined with newlines. */
  text: string;
  /** The fonts page 1 draws with, without subset tags (e.g. NotoSans-Bold). */
  fonts: string[];
  /** How many images page 1 paints. */
  images: number;
  /** The fill colours (#rrggbb) page 1 shows text in. */
  textColors: string[];
}

export const normalise = (text: string) => text.replace(/\s+/gu, ' ').trim();

async function open(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  // pdf.js detaches the buffer it is given: hand it a copy. Embedded fonts are drawn as paths
  // (no FontFace, no system font), as a machine without fonts would.
  return getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, isEvalSupported: false, verbosity: 0 })
    .promise;
}

/** Items on one baseline (within a fifth of their size) form a line, in the order pdf.js gives them. */
function lines(items: TextItem[]): TextLine[] {
  const result: Array<TextLine & { parts: string[] }> = [];
  for (const item of items) {
    if (!item.str) continue;
    const [x, y, size] = [item.transform[4]!, item.transform[5]!, Math.hypot(item.transform[2]!, item.transform[3]!)];
    const line = result.find((candidate) => Math.abs(candidate.y - y) <= Math.max(candidate.height, size) / 5);
    if (!line) {
      result.push({ text: '', x, y, width: item.width, height: size, parts: [item.str] });
      continue;
    }
    line.parts.push(item.str);
    const right = Math.max(line.x + line.width, x + item.width);
    line.x = Math.min(line.x, x);
    line.width = right - line.x;
    line.height = Math.max(line.height, size);
  }
  return result
    .map(({ parts, ...line }) => ({ ...line, text: normalise(parts.join('')) }))
    .filter((line) => line.text)
    .sort((a, b) => b.y - a.y);
}

async function drawing(page: PDFPageProxy): Promise<Pick<PdfContent, 'fonts' | 'images' | 'textColors'>> {
  const operators = await page.getOperatorList();
  const fonts = new Set<string>();
  const textColors = new Set<string>();
  let fill = '#000000';
  let images = 0;
  operators.fnArray.forEach((fn, index) => {
    if (fn === OPS.setFillRGBColor) fill = operators.argsArray[index][0] as string;
    if (fn === OPS.showText || fn === OPS.showSpacedText) textColors.add(fill);
    if (fn === OPS.setFont) {
      const font = page.commonObjs.get(operators.argsArray[index][0]) as { name?: string };
      if (font.name) fonts.add(font.name.replace(/^[A-Z]{6}\+/, ''));
    }
    if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject) images += 1;
  });
  return { fonts: [...fonts].sort(), images, textColors: [...textColors] };
}

export async function readPdf(bytes: Uint8Array): Promise<PdfContent> {
  const document = await open(bytes);
  try {
    const page = await document.getPage(1);
    const { width, height } = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    const textLines = lines(content.items.filter((item): item is TextItem => 'str' in item));
    return {
      pages: document.numPages,
      width,
      height,
      lines: textLines,
      text: textLines.map((line) => line.text).join('\n'),
      ...(await drawing(page)),
    };
  } finally {
    await document.destroy();
  }
}

export interface RenderedPage {
  scale: number;
  /** The page's height in points (to turn PDF coordinates into pixels). */
  pageHeight: number;
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Uint8ClampedArray;
  png(): Promise<Buffer>;
}

/** Page 1 drawn on white at `scale` pixels per point. */
export async function renderPage(bytes: Uint8Array, scale = 1.5): Promise<RenderedPage> {
  const document = await open(bytes);
  try {
    const page = await document.getPage(1);
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvasContext: context as unknown as CanvasRenderingContext2D, canvas: canvas as unknown as HTMLCanvasElement, viewport }).promise;
    return {
      scale,
      pageHeight: page.getViewport({ scale: 1 }).height,
      width: canvas.width,
      height: canvas.height,
      pixels: context.getImageData(0, 0, canvas.width, canvas.height).data,
      png: () => canvas.encode('png'),
    };
  } finally {
    await document.destroy();
  }
}

/** The share (0 to 1) of pixels that are not near-white in the box of a text line (one size high). */
export function inkOver(page: RenderedPage, line: Pick<TextLine, 'x' | 'y' | 'width' | 'height'>): number {
  const left = Math.max(0, Math.floor(line.x * page.scale));
  const right = Math.min(page.width, Math.ceil((line.x + line.width) * page.scale));
  const top = Math.max(0, Math.floor((page.pageHeight - line.y - line.height) * page.scale));
  const bottom = Math.min(page.height, Math.ceil((page.pageHeight - line.y + line.height * 0.3) * page.scale));
  let ink = 0;
  for (let y = top; y < bottom; y += 1) {
    for (let x = left; x < right; x += 1) {
      const at = (y * page.width + x) * 4;
      if (page.pixels[at]! + page.pixels[at + 1]! + page.pixels[at + 2]! < 3 * 200) ink += 1;
    }
  }
  return ink / Math.max(1, (right - left) * (bottom - top));
}
