// The certificate's fonts: Noto families from npm packages, so no system font is ever used.
// - Noto Sans (@embedpdf/fonts-latin, TTF): Latin, Greek, Cyrillic; the face of every fixed text.
// - Noto Sans Arabic, Hebrew, Devanagari, Thai (@fontsource/*, the script's own subset as WOFF:
//   fontkit reads WOFF2 too, but pdfkit embeds a WOFF2 font's glyphs from its transformed glyf
//   table and the text comes out blank).
// - Noto Sans CJK in its regional subsets (@embedpdf/fonts-sc, -jp, -kr, OTF/CFF): SC holds
//   nearly all of the CJK Unified Ideographs block and Extension A, JP the JIS ideographs and
//   kana, KR every Hangul syllable and jamo. Each is 4-9 MB, so a face is read and parsed the
//   first time a text needs it, then kept for the life of the process.
// Documents embed only the glyphs they use (pdfkit subsets every font).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';
import type { Font } from 'fontkit';
import { embedWithoutSubroutines } from './cff.js';
import { isWoff, woffToSfnt } from './woff.js';

export type Weight = 'regular' | 'bold';

type FaceName = 'latin' | 'arabic' | 'hebrew' | 'devanagari' | 'thai' | 'sc' | 'jp' | 'kr';

const require = createRequire(import.meta.url);
const embedpdf = (pkg: string, file: string) => path.join(path.dirname(require.resolve(pkg)), '..', 'fonts', file);
const fontsource = (script: string, weight: Weight) =>
  require.resolve(`@fontsource/noto-sans-${script}/files/noto-sans-${script}-${script}-${weight === 'bold' ? 700 : 400}-normal.woff`);

const FILES: Record<FaceName, (weight: Weight) => string> = {
  latin: (weight) => embedpdf('@embedpdf/fonts-latin', weight === 'bold' ? 'NotoSans-Bold.ttf' : 'NotoSans-Regular.ttf'),
  arabic: (weight) => fontsource('arabic', weight),
  hebrew: (weight) => fontsource('hebrew', weight),
  devanagari: (weight) => fontsource('devanagari', weight),
  thai: (weight) => fontsource('thai', weight),
  sc: (weight) => embedpdf('@embedpdf/fonts-sc', weight === 'bold' ? 'NotoSansHans-Bold.otf' : 'NotoSansHans-Regular.otf'),
  jp: (weight) => embedpdf('@embedpdf/fonts-jp', weight === 'bold' ? 'NotoSansJP-Bold.otf' : 'NotoSansJP-Regular.otf'),
  kr: (weight) => embedpdf('@embedpdf/fonts-kr', weight === 'bold' ? 'NotoSansKR-Bold.otf' : 'NotoSansKR-Regular.otf'),
};

/** The order faces are tried in for a character none of the rules below claims. */
const FALLBACK: FaceName[] = ['latin', 'arabic', 'hebrew', 'devanagari', 'thai', 'sc', 'jp', 'kr'];

export interface Face {
  /** Unique per face and weight: the name the face is registered under in a document. */
  key: string;
  font: Font;
}

/** Scripts with a face of their own, tried first for their letters. */
const SCRIPT_FACES: Array<[RegExp, FaceName]> = [
  [/\p{Script=Arabic}/u, 'arabic'],
  [/\p{Script=Hebrew}/u, 'hebrew'],
  [/\p{Script=Devanagari}/u, 'devanagari'],
  [/\p{Script=Thai}/u, 'thai'],
];

const KANA = /[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]/u;
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]/u;
const HAN = /\p{Script=Han}/u;

/**
 * The CJK face a text's ideographs are drawn in: Japanese forms when it has kana, Korean when it
 * has Hangul, Chinese otherwise. (Han unification gives 直 or 骨 one code point whose glyphs differ
 * by region.)
 */
function cjkOrder(text: string): FaceName[] {
  if (KANA.test(text)) return ['jp', 'sc', 'kr'];
  if (HANGUL.test(text)) return ['kr', 'sc', 'jp'];
  return ['sc', 'jp', 'kr'];
}

/** Every face, parsed on first use; one library per process (fonts are read-only data). */
export class FontLibrary {
  readonly #faces = new Map<string, Face>();

  face(name: FaceName, weight: Weight): Face {
    const key = `${name}-${weight}`;
    let face = this.#faces.get(key);
    if (!face) {
      const bytes = readFileSync(FILES[name](weight));
      const parsed = fontkit.create(isWoff(bytes) ? woffToSfnt(bytes) : bytes);
      if (!('layout' in parsed)) throw new Error(`${key} is a font collection, not a font`);
      keepGlyphsByCharacters(parsed);
      embedWithoutSubroutines(parsed);
      face = { key, font: parsed };
      this.#faces.set(key, face);
    }
    return face;
  }

  /** The face every fixed text (and the text layer of mixed lines) is set in. */
  primary(weight: Weight): Face {
    return this.face('latin', weight);
  }

  /**
   * The face to draw `codePoint` in, within `text` (whose script mix picks the CJK face); null
   * when no face has it.
   */
  faceFor(codePoint: number, text: string, weight: Weight): Face | null {
    const character = String.fromCodePoint(codePoint);
    const own = SCRIPT_FACES.find(([script]) => script.test(character))?.[1];
    const first = HAN.test(character) || KANA.test(character) || HANGUL.test(character) ? cjkOrder(text) : own ? [own] : [];
    for (const name of [...first, ...FALLBACK]) {
      // The CJK faces are only opened for characters the cheap faces lack.
      const face = this.face(name, weight);
      if (face.font.hasGlyphForCodePoint(codePoint)) return face;
    }
    return null;
  }
}

/**
 * fontkit keeps one glyph object per glyph id, holding the characters it was first made for, and
 * a shaped run reports those: after "ي" was drawn, an "ى" sharing its final form would read back
 * as "ي". Certificates map glyphs to text themselves (see glyphs.ts), so glyph objects are kept
 * per glyph and characters instead: each layout sees the characters of its own text, and a
 * glyph's parsed outline and metrics are still reused by every later document.
 */
function keepGlyphsByCharacters(font: Font): void {
  const byId = (font as unknown as { _glyphs: Record<number, unknown> })._glyphs;
  const getGlyph = font.getGlyph.bind(font);
  const glyphs = new Map<string, ReturnType<Font['getGlyph']>>();
  font.getGlyph = (id, codePoints = []) => {
    const key = `${id}:${codePoints.join(',')}`;
    let glyph = glyphs.get(key);
    if (!glyph) {
      delete byId[id];
      glyph = getGlyph(id, codePoints);
      glyphs.set(key, glyph);
    }
    return glyph;
  };
}

let shared: FontLibrary | undefined;

/** The process's font library: faces are parsed once and shared by every renderer. */
export function fontLibrary(): FontLibrary {
  shared ??= new FontLibrary();
  return shared;
}
