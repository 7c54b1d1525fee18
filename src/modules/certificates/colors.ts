// The certificate's colours, from the organization's brand colour, each text colour checked for
// contrast against what it is drawn on (WCAG 2 relative luminance): at least 4.5:1 for text, 3:1
// for large text such as the default badge's initials.

export interface Palette {
  /** The brand colour as given (frame, ornaments, the default badge). */
  brand: string;
  /** The brand colour, darkened as far as needed to read as text on white. */
  brandText: string;
  /** A light tint of the brand colour for hairlines. */
  tint: string;
  ink: string;
  muted: string;
  /** Text drawn on the brand colour (the default badge's initials). */
  onBrand: string;
}

export const DEFAULT_BRAND = '#1d4ed8';
const WHITE = '#ffffff';
const INK = '#111827';
const MUTED = '#4b5563';
const TEXT_CONTRAST = 4.5;
const LARGE_TEXT_CONTRAST = 3;

type Rgb = [number, number, number];

function parse(hex: string): Rgb | null {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) return null;
  const digits = match[1]!.length === 3 ? [...match[1]!].map((digit) => digit + digit).join('') : match[1]!;
  return [0, 2, 4].map((at) => parseInt(digits.slice(at, at + 2), 16)) as Rgb;
}

const format = (rgb: Rgb) => `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;

function luminance([r, g, b]: Rgb): number {
  const linear = (channel: number) => {
    const value = channel / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** The WCAG contrast ratio of two colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(parse(a)!), luminance(parse(b)!)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

const mix = (from: Rgb, to: Rgb, amount: number): Rgb => from.map((channel, index) => channel + (to[index]! - channel) * amount) as Rgb;

/** `color` mixed towards black in small steps until it reaches `ratio` against `background`. */
function darkenFor(color: Rgb, background: string, ratio: number): string {
  for (let amount = 0; amount <= 1; amount += 0.05) {
    const candidate = format(mix(color, [0, 0, 0], amount));
    if (contrast(candidate, background) >= ratio) return candidate;
  }
  return INK;
}

/** Text on `background`: white or ink, whichever reads better. */
export function textOn(background: string): string {
  return contrast(WHITE, background) >= contrast(INK, background) ? WHITE : INK;
}

/** The palette for a brand colour (#rgb or #rrggbb); an unreadable value falls back to the default. */
export function palette(brandColor?: string | null): Palette {
  const rgb = parse(brandColor ?? '') ?? parse(DEFAULT_BRAND)!;
  const brand = format(rgb);
  const onBrand = textOn(brand);
  return {
    brand,
    brandText: darkenFor(rgb, WHITE, TEXT_CONTRAST),
    tint: format(mix(rgb, [255, 255, 255], 0.7)),
    ink: INK,
    muted: MUTED,
    onBrand: contrast(onBrand, brand) >= LARGE_TEXT_CONTRAST ? onBrand : INK,
  };
}

/** The fill of the level badge and the text on it. */
export const LEVEL_COLORS: Record<'BRONZE' | 'SILVER' | 'GOLD', { fill: string; text: string }> = {
  BRONZE: { fill: '#a0522d', text: textOn('#a0522d') },
  SILVER: { fill: '#c0c4cc', text: textOn('#c0c4cc') },
  GOLD: { fill: '#d4a017', text: textOn('#d4a017') },
};
