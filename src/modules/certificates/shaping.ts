// One line of text, ready to draw: split into runs by font (the first face that has a character,
// see fonts.ts) and by bidi level (bidi-js, the Unicode Bidirectional Algorithm), each run shaped
// by fontkit (Arabic joining, Devanagari conjuncts and matras, Thai marks, kerning, ligatures),
// the runs in visual order. Also works out how the glyphs map back to the text, so the PDF reads
// back in logical order (see glyphs.ts).
import bidiFactory, { type Bidi } from 'bidi-js';
import type { Face, FontLibrary, Weight } from './fonts.js';

// bidi-js is CommonJS whose module.exports is the factory; its types declare it as `default`.
const bidi = (bidiFactory as unknown as () => Bidi)();

export interface ShapedGlyph {
  id: number;
  /** In ems (multiply by the font size for points). */
  advance: number;
  xOffset: number;
  yOffset: number;
  /** The text this glyph stands for when a line maps glyph by glyph ('' when it cannot). */
  text: string;
}

export interface ShapedRun {
  face: Face;
  /** Left to right on the page. */
  glyphs: ShapedGlyph[];
  /** The run's characters, in logical order. */
  text: string;
  /** Where they start in the line's text. */
  start: number;
  rtl: boolean;
  width: number;
}

export interface ShapedLine {
  /** The line's characters, in logical order. */
  text: string;
  /** Left to right on the page. */
  runs: ShapedRun[];
  /** In ems. */
  width: number;
  /**
   * True when glyph-by-glyph text would not read back as `text`: right-to-left runs, or clusters
   * drawn in another order than they are written (a Devanagari reph or short i, Arabic dots
   * drawn as their own glyph). Such a line carries its text separately (glyphs.ts).
   */
  needsTextLayer: boolean;
}

/** Marks and joiners stay in the face of the character they belong to. */
const INHERITS = /[\p{M}\u200c\u200d\ufe00-\ufe0f]/u;
/** Spaces, punctuation, symbols and digits take the face of the text around them when it has them. */
const NEUTRAL = /[\p{White_Space}\p{P}\p{S}\p{N}]/u;

/** The direction of a paragraph: that of its first strong character (rule P2 of the algorithm). */
export function paragraphDirection(text: string): 'ltr' | 'rtl' {
  const { paragraphs } = bidi.getEmbeddingLevels(text, 'auto');
  return (paragraphs[0]?.level ?? 0) % 2 === 1 ? 'rtl' : 'ltr';
}

/** The face of each code point of `text` (null where no face has it), by code unit index. */
function assignFaces(library: FontLibrary, text: string, weight: Weight): Array<Face | undefined> {
  const faces: Array<Face | undefined> = new Array(text.length);
  const pending: number[] = [];
  let previous: Face | undefined;
  const settle = (next: Face | undefined) => {
    for (const index of pending) {
      const codePoint = text.codePointAt(index)!;
      const around = [previous, next].find((face) => face?.font.hasGlyphForCodePoint(codePoint));
      faces[index] = around ?? library.faceFor(codePoint, text, weight) ?? previous ?? next;
    }
    pending.length = 0;
  };
  for (let index = 0; index < text.length; ) {
    const codePoint = text.codePointAt(index)!;
    const character = String.fromCodePoint(codePoint);
    if (INHERITS.test(character) && previous?.font.hasGlyphForCodePoint(codePoint) && !pending.length) {
      faces[index] = previous;
    } else if (NEUTRAL.test(character)) {
      pending.push(index);
    } else {
      const face = library.faceFor(codePoint, text, weight) ?? undefined;
      settle(face);
      faces[index] = face;
      previous = face;
    }
    index += character.length;
  }
  settle(undefined);
  return faces;
}

interface LogicalRun {
  start: number;
  end: number;
  face: Face;
  level: number;
}

function logicalRuns(library: FontLibrary, text: string, weight: Weight, direction: 'ltr' | 'rtl'): LogicalRun[] {
  const { levels } = bidi.getEmbeddingLevels(text, direction);
  const faces = assignFaces(library, text, weight);
  const fallback = library.primary(weight);
  const runs: LogicalRun[] = [];
  for (let index = 0; index < text.length; ) {
    const width = text.codePointAt(index)! > 0xffff ? 2 : 1;
    const face = faces[index] ?? fallback;
    const level = levels[index]!;
    const last = runs.at(-1);
    if (last && last.face === face && last.level === level) last.end = index + width;
    else runs.push({ start: index, end: index + width, face, level });
    index += width;
  }
  return runs;
}

/** Rule L2 of the algorithm, on runs: reverse every sequence at or above each odd level. */
function visualOrder<Run extends { level: number }>(runs: Run[]): Run[] {
  const order = [...runs];
  const highest = Math.max(0, ...runs.map((run) => run.level));
  const lowestOdd = Math.min(...runs.map((run) => (run.level % 2 ? run.level : Infinity)));
  for (let level = highest; level >= lowestOdd; level -= 1) {
    for (let start = 0; start < order.length; ) {
      if (order[start]!.level < level) {
        start += 1;
        continue;
      }
      let end = start;
      while (end < order.length && order[end]!.level >= level) end += 1;
      order.splice(start, end - start, ...order.slice(start, end).reverse());
      start = end;
    }
  }
  return order;
}

/**
 * Groups glyphs (in logical order) into clusters: the shortest glyph sequences that together
 * stand for a contiguous stretch of the text. Within a cluster the shaper may reorder glyphs
 * (the reph of र्म is drawn after म) or split a character (Arabic dots as a separate mark).
 */
function clusters(text: string, codePoints: number[][]): Array<{ glyphs: [number, number]; text: string }> {
  const characters = Array.from(text);
  const used = new Array<boolean>(characters.length).fill(false);
  const result: Array<{ glyphs: [number, number]; text: string }> = [];
  let next = 0;
  let furthest = 0;
  let glyphStart = 0;
  let textStart = 0;
  codePoints.forEach((points, glyph) => {
    for (const point of points) {
      const at = characters.findIndex((character, index) => index >= next && !used[index] && character.codePointAt(0) === point);
      if (at < 0) continue;
      used[at] = true;
      furthest = Math.max(furthest, at + 1);
    }
    while (next < characters.length && used[next]) next += 1;
    if (next === furthest && next > textStart) {
      result.push({ glyphs: [glyphStart, glyph + 1], text: characters.slice(textStart, next).join('') });
      glyphStart = glyph + 1;
      textStart = next;
    }
  });
  // Characters no glyph claimed (a joiner the shaper consumed) belong to the last cluster.
  const rest = characters.slice(textStart).join('');
  if (glyphStart < codePoints.length || rest) {
    const last = result.at(-1);
    if (glyphStart < codePoints.length || !last) result.push({ glyphs: [glyphStart, codePoints.length], text: rest });
    else last.text += rest;
  }
  return result;
}

function shapeRun(text: string, run: LogicalRun): { run: ShapedRun; natural: boolean } {
  const rtl = run.level % 2 === 1;
  const runText = text.slice(run.start, run.end);
  const { font } = run.face;
  const shaped = font.layout(runText, undefined, undefined, undefined, rtl ? 'rtl' : 'ltr');
  const scale = 1 / font.unitsPerEm;
  const glyphs: ShapedGlyph[] = shaped.glyphs.map((glyph, index) => {
    const position = shaped.positions[index]!;
    return {
      id: glyph.id,
      advance: position.xAdvance * scale,
      xOffset: position.xOffset * scale,
      yOffset: position.yOffset * scale,
      text: String.fromCodePoint(...glyph.codePoints),
    };
  });
  // fontkit returns a right-to-left run in visual order; clusters are found in logical order.
  const logical = rtl ? [...glyphs].reverse() : glyphs;
  let natural = !rtl;
  for (const cluster of clusters(runText, logical.map((glyph) => Array.from(glyph.text, (c) => c.codePointAt(0)!)))) {
    const members = logical.slice(...cluster.glyphs);
    if (members.some((glyph) => !glyph.text) || members.map((glyph) => glyph.text).join('') !== cluster.text) natural = false;
  }
  const width = glyphs.reduce((sum, glyph) => sum + glyph.advance, 0);
  return { run: { face: run.face, glyphs, text: runText, start: run.start, rtl, width }, natural };
}

/** Shapes one line; `direction` is the paragraph's (a wrapped line keeps its paragraph's). */
export function shapeLine(library: FontLibrary, text: string, weight: Weight, direction = paragraphDirection(text)): ShapedLine {
  if (!text) return { text, runs: [], width: 0, needsTextLayer: false };
  const shaped = logicalRuns(library, text, weight, direction).map((run) => ({ ...shapeRun(text, run), level: run.level }));
  const runs = visualOrder(shaped);
  return {
    text,
    runs: runs.map(({ run }) => run),
    width: runs.reduce((sum, { run }) => sum + run.width, 0),
    needsTextLayer: shaped.some(({ natural }) => !natural),
  };
}
