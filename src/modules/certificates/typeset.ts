// Fitting text into the certificate's boxes: measuring, wrapping at word boundaries (Intl's word
// segmenter, which also finds the breaks of Thai and of CJK text without spaces), shrinking, and
// (only where a text may be cut) an ellipsis.
import { LRUCache } from 'lru-cache';
import type { FontLibrary, Weight } from './fonts.js';
import { paragraphDirection, shapeLine, type ShapedLine } from './shaping.js';

export interface TextBlock {
  /** Font size in points. */
  size: number;
  lines: ShapedLine[];
}

export interface FitOptions {
  weight: Weight;
  /** Width of the box, in points. */
  width: number;
  /** Largest size, tried first on one line. */
  maxSize: number;
  /** Below this size the text wraps rather than shrinking further on one line. */
  minSize: number;
  /** Wrapped, the text may shrink down to this size to stay within maxLines. */
  floorSize: number;
  maxLines: number;
}

const ELLIPSIS = '…';
const words = new Intl.Segmenter(undefined, { granularity: 'word' });
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Where a line may break: each unit ends after its trailing spaces and punctuation, so a line
 * never starts with a comma or a space.
 */
function breakUnits(text: string): string[] {
  const units: string[] = [];
  for (const { segment, isWordLike } of words.segment(text)) {
    if (!isWordLike && units.length) units[units.length - 1] += segment;
    else units.push(segment);
  }
  return units;
}

/**
 * Shaped lines, kept across certificates: most texts recur (the fixed wording, an organization's
 * name, a badge's name and description words), and shaping was the larger part of a render.
 */
const shapedLines = new WeakMap<FontLibrary, LRUCache<string, ShapedLine>>();

/** Measures and shapes text. */
export class Typesetter {
  readonly #lines: LRUCache<string, ShapedLine>;

  constructor(private readonly library: FontLibrary) {
    let lines = shapedLines.get(library);
    if (!lines) {
      lines = new LRUCache({ max: 10_000 });
      shapedLines.set(library, lines);
    }
    this.#lines = lines;
  }

  line(text: string, weight: Weight, direction?: 'ltr' | 'rtl'): ShapedLine {
    const key = `${weight}:${direction ?? ''}:${text}`;
    let line = this.#lines.get(key);
    if (!line) {
      line = shapeLine(this.library, text, weight, direction);
      this.#lines.set(key, line);
    }
    return line;
  }

  /** The width of `text` in points at `size`. */
  width(text: string, weight: Weight, size: number, direction?: 'ltr' | 'rtl'): number {
    return this.line(text, weight, direction).width * size;
  }

  /**
   * `text` broken into lines no wider than `width` (a word wider than the box is broken between
   * characters), at most `limit` lines (the rest of the text is then left out).
   */
  wrap(text: string, weight: Weight, size: number, width: number, limit = Infinity): string[] {
    // Pieces are measured alone and their widths added up (kerning across a break is lost, which
    // is a fraction of a point), so a long text is shaped once per piece, not once per attempt.
    const direction = paragraphDirection(text);
    const measure = (piece: string) => this.width(piece, weight, size, direction);
    const lines: string[] = [];
    let current = '';
    let used = 0;
    const fits = (piece: string) => used + measure(piece.trimEnd()) <= width;
    const add = (piece: string) => {
      current += piece;
      used += measure(piece);
    };
    const push = () => {
      if (current.trim()) lines.push(current.trim());
      current = '';
      used = 0;
    };
    for (const unit of breakUnits(text)) {
      if (lines.length >= limit) break;
      if (fits(unit)) {
        add(unit);
        continue;
      }
      push();
      if (fits(unit)) {
        add(unit);
        continue;
      }
      for (const { segment } of graphemes.segment(unit)) {
        if (current && !fits(segment)) push();
        add(segment);
      }
    }
    push();
    return lines.slice(0, limit);
  }

  /**
   * The whole of `text` in the box, never cut: one line shrinking from maxSize to minSize, then
   * wrapped onto at most maxLines lines shrinking down to floorSize; if even that is too little,
   * as many lines as it takes at floorSize.
   */
  fit(text: string, options: FitOptions): TextBlock {
    const { weight, width } = options;
    for (let size = options.maxSize; size >= options.minSize; size -= 1) {
      if (this.width(text, weight, size) <= width) return this.#block(text, [text], size, weight);
    }
    for (let size = options.minSize; size > options.floorSize; size -= 0.5) {
      const lines = this.wrap(text, weight, size, width);
      if (lines.length <= options.maxLines) return this.#block(text, lines, size, weight);
    }
    return this.#block(text, this.wrap(text, weight, options.floorSize, width), options.floorSize, weight);
  }

  /**
   * `text` wrapped onto at most maxLines lines, shrinking from maxSize to minSize; what still
   * does not fit is cut at the end of the last line with an ellipsis.
   */
  clamp(text: string, options: Omit<FitOptions, 'floorSize'>): TextBlock {
    const { weight, width, maxLines } = options;
    for (let size = options.maxSize; size > options.minSize; size -= 0.5) {
      const lines = this.wrap(text, weight, size, width, maxLines + 1);
      if (lines.length <= maxLines) return this.#block(text, lines, size, weight);
    }
    const size = options.minSize;
    const lines = this.wrap(text, weight, size, width, maxLines + 1);
    if (lines.length > maxLines) {
      const direction = paragraphDirection(text);
      let last = Array.from(graphemes.segment(lines[maxLines - 1]!), ({ segment }) => segment);
      while (last.length && this.width(`${last.join('').trimEnd()}${ELLIPSIS}`, weight, size, direction) > width) last = last.slice(0, -1);
      // Cut after a whole word when one ends in the second half of the line.
      const space = last.findLastIndex((segment) => /\s/u.test(segment));
      if (space > last.length / 2) last = last.slice(0, space);
      lines.splice(maxLines - 1, Infinity, `${last.join('').trimEnd()}${ELLIPSIS}`);
    }
    return this.#block(text, lines, size, weight);
  }

  #block(text: string, lines: string[], size: number, weight: Weight): TextBlock {
    const direction = paragraphDirection(text);
    return { size, lines: lines.map((line) => this.line(line, weight, direction)) };
  }
}
