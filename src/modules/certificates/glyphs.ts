// Draws shaped lines (shaping.ts) into a pdfkit document as real, extractable text. pdfkit's own
// text() lays text out word by word in one font, which breaks right-to-left words and scripts
// that need another font; here each glyph is placed where the shaper put it.
//
// What a PDF reader extracts comes from each glyph's entry in the font's ToUnicode map, in the
// order glyphs are drawn. Two kinds of lines:
// - Glyph by glyph: a left-to-right line whose glyphs each stand for their own characters, in
//   order (Latin, Greek, Cyrillic, CJK, Thai, most Devanagari). Each glyph maps to its text.
// - Text layer: a line with right-to-left runs or with clusters drawn out of order (the reph of
//   शर्मा is drawn after म; Arabic dots are a glyph of their own). Its visible glyphs map to
//   U+2060 WORD JOINER (a format character that extractors drop) with zero width, and the text is
//   written again, invisibly (render mode 3), one glyph per character over each run (see
//   #textLayer). The visible glyphs are also wrapped in a /Span with an empty /ActualText, so
//   readers that honour it (poppler, and Acrobat by the specification) read only the layer.
//   (An /ActualText holding the line's text was tried: poppler spreads it left to right over the
//   span and then reverses it as right-to-left text, so an Arabic name came out backwards.)
// A glyph that maps to different text in two places (म alone and म in a text layer) is embedded
// twice under two ids: a ToUnicode entry is per glyph id.
import type { Face } from './fonts.js';
import type { ShapedLine } from './shaping.js';

const WORD_JOINER = '\u2060';
/** pdf.js (and others) give characters with this property no width of their own. */
const NON_SPACING = /^\p{Mn}$/u;

/** The parts of pdfkit's EmbeddedFont this module uses (not in its public API). */
interface EmbeddedFont {
  id: string;
  scale: number;
  subset: { glyphs: number[]; mapping: Record<number, number | undefined>; includeGlyph(id: number): number };
  unicode: number[][];
  widths: number[];
  ref(): unknown;
}

interface FontState {
  face: Face;
  embedded: EmbeddedFont;
  ids: Map<string, number>;
}

const number = (value: number) => String(Math.round(value * 1000) / 1000);

/** Writes the operators of one text object, merging glyphs on one baseline into TJ arrays. */
class TextObject {
  readonly #operators: string[] = ['BT'];
  #parts: string[] = [];
  #hex = '';
  #font = '';
  #size = 0;
  #x = 0;
  #y = Number.NaN;

  font(id: string, size: number): void {
    if (id === this.#font && size === this.#size) return;
    this.#flush();
    this.#operators.push(`/${id} ${number(size)} Tf`);
    this.#font = id;
    this.#size = size;
  }

  operator(operator: string): void {
    this.#flush();
    this.#operators.push(operator);
  }

  /**
   * Places the next glyph with an absolute matrix rather than relative to the last one (after
   * glyphs that extractors skip, whose advance they therefore never add).
   */
  jump(): void {
    this.#y = Number.NaN;
  }

  /** A glyph at (x, y) in PDF coordinates; `width` in glyph space units (1000 per em). */
  glyph(id: number, x: number, y: number, width: number): void {
    if (Number.isNaN(this.#y) || Math.abs(y - this.#y) > 0.001) {
      this.#flush();
      this.#operators.push(`1 0 0 1 ${number(x)} ${number(y)} Tm`);
      this.#y = y;
    } else if (Math.abs(x - this.#x) > 0.001) {
      if (this.#hex) this.#parts.push(`<${this.#hex}>`);
      this.#hex = '';
      this.#parts.push(number(((this.#x - x) * 1000) / this.#size));
    }
    this.#hex += id.toString(16).padStart(4, '0');
    this.#x = x + (width * this.#size) / 1000;
  }

  end(): string {
    this.#flush();
    return [...this.#operators, 'ET'].join('\n');
  }

  #flush(): void {
    if (this.#hex) this.#parts.push(`<${this.#hex}>`);
    if (this.#parts.length) this.#operators.push(`[${this.#parts.join(' ')}] TJ`);
    this.#parts = [];
    this.#hex = '';
  }
}

export class GlyphWriter {
  readonly #fonts = new Map<string, FontState>();

  /**
   * `carriers`: two faces of different names (a change of font name is what ends a string for
   * extractors) whose space glyphs carry the text of text-layer lines.
   */
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly carriers: readonly [Face, Face],
  ) {}

  /**
   * Draws `line` with its left end at `x` and its baseline at `baseline` (pdfkit's top-down page
   * coordinates), `size` points, in the current fill colour.
   */
  drawLine(line: ShapedLine, x: number, baseline: number, size: number): void {
    if (!line.runs.length) return;
    const doc = this.doc;
    const y = doc.page.height - baseline;
    const text = new TextObject();
    const layer = line.needsTextLayer;
    let pen = x;
    // The visible glyphs of a text-layer line stand for no text: the layer below carries it.
    if (layer) text.operator('/Span <</ActualText ()>> BDC');
    for (const run of line.runs) {
      const state = this.#state(run.face);
      text.font(state.embedded.id, size);
      for (const glyph of run.glyphs) {
        const id = layer ? this.#id(state, glyph.id, WORD_JOINER, 0) : this.#id(state, glyph.id, glyph.text || WORD_JOINER);
        text.glyph(id, pen + glyph.xOffset * size, y + glyph.yOffset * size, state.embedded.widths[id]!);
        pen += glyph.advance * size;
      }
    }
    if (layer) text.operator('EMC');
    if (layer) this.#textLayer(text, line, x, y, size);
    doc.save();
    // pdfkit's pages are drawn top-down; text is set in PDF's own bottom-up space.
    doc.transform(1, 0, 0, -1, 0, doc.page.height);
    doc.addContent(text.end());
    doc.restore();
  }

  /**
   * The line's text as invisible glyphs, one per character. Extractors read a run of text left to
   * right and reverse what is right-to-left by their own heuristics (pdf.js takes a string as
   * right-to-left when 30% of it is), which misread mixed lines; so each run is written as a
   * string of its own, in logical order, its characters laid left to right over the run, the
   * runs told apart by alternating between the two carrier fonts. A right-to-left run's
   * characters are laid in visual order (last character leftmost), as its glyphs are drawn, so a
   * reader that orders text by position (poppler) reverses them back to logical order too.
   */
  #textLayer(text: TextObject, line: ShapedLine, x: number, y: number, size: number): void {
    const carriers = this.carriers.map((face) => ({ state: this.#state(face), space: face.font.glyphForCodePoint(0x20).id }));
    const left = new Map<ShapedLine['runs'][number], number>();
    line.runs.reduce((start, run) => (left.set(run, start), start + run.width * size), x);
    text.operator('3 Tr');
    [...line.runs]
      .sort((a, b) => a.start - b.start)
      .forEach((run, index) => {
        const { state, space } = carriers[index % 2]!;
        text.font(state.embedded.id, size);
        text.jump();
        const characters = Array.from(run.text);
        if (run.rtl) characters.reverse();
        const share = run.width / Math.max(1, characters.filter((character) => !NON_SPACING.test(character)).length);
        let pen = left.get(run)!;
        for (const character of characters) {
          const advance = NON_SPACING.test(character) ? 0 : share * size;
          const id = this.#id(state, space, character, (advance * 1000) / size);
          text.glyph(id, pen, y, state.embedded.widths[id]!);
          pen += advance;
        }
      });
    text.operator('0 Tr');
  }

  #state(face: Face): FontState {
    let state = this.#fonts.get(face.key);
    if (!state) {
      // pdfkit accepts a parsed fontkit font in place of a file (its font factory checks for layout()).
      this.doc.registerFont(face.key, face.font as unknown as Buffer);
      this.doc.font(face.key);
      const embedded = (this.doc as unknown as { _font: EmbeddedFont })._font;
      state = { face, embedded, ids: new Map() };
      this.#fonts.set(face.key, state);
    }
    (this.doc.page as unknown as { fonts: Record<string, unknown> }).fonts[state.embedded.id] ??= state.embedded.ref();
    return state;
  }

  /** The id (in the embedded subset) of glyph `glyph` mapped to `text`, `width` wide (default: its own). */
  #id(state: FontState, glyph: number, text: string, width?: number): number {
    const { embedded } = state;
    const units = Math.round(width ?? state.face.font.getGlyph(glyph).advanceWidth * embedded.scale);
    const key = `${glyph}:${units}:${text}`;
    let id = state.ids.get(key);
    if (id !== undefined) return id;
    if (embedded.subset.mapping[glyph] === undefined) {
      id = embedded.subset.includeGlyph(glyph);
    } else {
      // Taken with another text or width: a second copy of the glyph under a new id.
      embedded.subset.glyphs.push(glyph);
      id = embedded.subset.glyphs.length - 1;
    }
    embedded.unicode[id] = Array.from(text, (character) => character.codePointAt(0)!);
    embedded.widths[id] = units;
    state.ids.set(key, id);
    return id;
  }
}
