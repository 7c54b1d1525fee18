// The badge image drawn when a template has none: a coloured disc with a ring and the initials
// of the badge's name. The letters are drawn as paths from Noto Sans Bold (the font the
// certificates already ship), so the SVG looks the same everywhere and needs no font; the PNG is
// that SVG rendered by resvg (@resvg/resvg-js, a Rust renderer shipped as prebuilt npm binaries).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as fontkit from 'fontkit';
import type { Font } from 'fontkit';

const VIEWBOX = 512;
const DEFAULT_COLORS = ['#1f6feb', '#8250df', '#bf3989', '#cf222e', '#bc4c00', '#9a6700', '#1a7f37', '#0969da'];

let boldFont: Font | undefined;

function font(): Font {
  if (!boldFont) {
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-latin')), '..', 'fonts', 'NotoSans-Bold.ttf');
    const loaded = fontkit.create(readFileSync(file));
    if (!('layout' in loaded)) throw new Error('NotoSans-Bold.ttf is a font collection, not a font');
    boldFont = loaded;
  }
  return boldFont;
}

export interface DefaultBadgeOptions {
  name: string;
  /** `#rgb` or `#rrggbb`; by default one of a few colours, picked from the name. */
  color?: string;
}

/** Up to two letters: the first of the first two words (numbers count as words). */
export function badgeInitials(name: string): string {
  const words = name.normalize('NFC').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words
    .slice(0, 2)
    .map((word) => Array.from(word)[0]!.toLocaleUpperCase('en'))
    .join('');
}

function pickColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return DEFAULT_COLORS[hash % DEFAULT_COLORS.length]!;
}

function parseColor(color: string): [number, number, number] {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!match) throw new Error(`Badge colour must be #rgb or #rrggbb, not ${JSON.stringify(color)}`);
  const hex = match[1]!.length === 3 ? [...match[1]!].map((digit) => digit + digit).join('') : match[1]!;
  return [0, 2, 4].map((start) => parseInt(hex.slice(start, start + 2), 16)) as [number, number, number];
}

/** Dark letters on light colours, white on dark ones (WCAG relative luminance). */
function textColor([red, green, blue]: [number, number, number]): string {
  const linear = (value: number) => {
    const channel = value / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
  return luminance > 0.45 ? '#1f2328' : '#ffffff';
}

/** Path data for `text` centred on (256, 256), or undefined when the font lacks a glyph. */
function lettersPath(text: string): string | undefined {
  if (!text) return undefined;
  const run = font().layout(text);
  if (run.glyphs.some((glyph) => glyph.id === 0)) return undefined;
  const size = Array.from(text).length > 1 ? 190 : 230;
  const scale = size / font().unitsPerEm;
  let pen = 0;
  const parts = run.glyphs.map((glyph, index) => {
    const placed = glyph.path.scale(scale, -scale).translate(pen * scale, 0);
    pen += run.positions[index]!.xAdvance;
    return placed;
  });
  // Centre on the letters' ink, not their advance widths, so every pair of initials sits in the middle.
  const box = parts.reduce(
    (acc, part) => {
      const b = part.bbox;
      return { minX: Math.min(acc.minX, b.minX), minY: Math.min(acc.minY, b.minY), maxX: Math.max(acc.maxX, b.maxX), maxY: Math.max(acc.maxY, b.maxY) };
    },
    { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity },
  );
  const dx = VIEWBOX / 2 - (box.minX + box.maxX) / 2;
  const dy = VIEWBOX / 2 - (box.minY + box.maxY) / 2;
  return parts
    .map((part) => part.translate(dx, dy).toSVG())
    .join(' ')
    .replace(/-?\d+\.\d+/g, (number) => String(Math.round(Number(number) * 100) / 100));
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.codePointAt(0)};`);
}

/** The default badge as an SVG document (512×512 view box, scalable). */
export function defaultBadgeSvg({ name, color }: DefaultBadgeOptions): string {
  const fill = color ?? pickColor(name);
  const ink = textColor(parseColor(fill));
  const letters = lettersPath(badgeInitials(name));
  // A five-pointed star stands in when the name has no letter the font can draw.
  const mark = letters
    ? `<path d="${letters}" fill="${ink}"/>`
    : `<path d="M256 146l32 72 78 8-59 52 17 77-68-40-68 40 17-77-59-52 78-8z" fill="${ink}"/>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${VIEWBOX}" height="${VIEWBOX}" viewBox="0 0 ${VIEWBOX} ${VIEWBOX}" role="img">`,
    `<title>${escapeXml(name)}</title>`,
    `<circle cx="256" cy="256" r="248" fill="${fill}"/>`,
    `<circle cx="256" cy="256" r="214" fill="none" stroke="${ink}" stroke-opacity="0.55" stroke-width="10"/>`,
    mark,
    '</svg>',
  ].join('');
}

/** The default badge as a PNG, `size` pixels square (512 by default). */
export function defaultBadgePng(options: DefaultBadgeOptions & { size?: number }): Buffer {
  const size = options.size ?? VIEWBOX;
  if (!Number.isInteger(size) || size < 16 || size > 2048) throw new RangeError('PNG size must be a whole number from 16 to 2048');
  const renderer = new Resvg(defaultBadgeSvg(options), { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } });
  return renderer.render().asPng();
}
