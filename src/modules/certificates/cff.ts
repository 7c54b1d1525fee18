// The CJK faces are CFF fonts whose glyphs share subroutines (20,000 in Noto Sans CJK's ideograph
// dictionary). fontkit's subsetter keeps every subroutine slot, so three ideographs embedded
// ~37 kB of mostly empty slots. Here a CFF subset writes each glyph's outline as a plain
// charstring (moves, lines and curves, no subroutines, no hints: a PDF is drawn at print
// resolution, where hints do little), which makes a Chinese name cost a few kilobytes.
import type { Font } from 'fontkit';

interface PathCommand {
  command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath';
  args: number[];
}

interface CffDict {
  Private?: Record<string, unknown> | null;
  FontName?: unknown;
  [key: string]: unknown;
}

/** The parts of fontkit's CFFSubset this module replaces or reads. */
interface CffSubset {
  cff?: { topDict: CffDict & { FDArray?: CffDict[]; Private?: Record<string, unknown> }; fdForGlyph(glyph: number): number | null };
  font: Font;
  glyphs: number[];
  charstrings: Uint8Array[];
  gsubrs: Uint8Array[];
  subsetCharstrings(): void;
  subsetFontdict(topDict: CffDict): void;
  createCIDFontdict(topDict: CffDict): void;
}

const RMOVETO = 21;
const RLINETO = 5;
const RRCURVETO = 8;
const ENDCHAR = 14;

/** A number as a Type 2 charstring operand. */
function operand(value: number, out: number[]): void {
  if (!Number.isInteger(value) || value < -32768 || value > 32767) {
    const fixed = Math.round(value * 65536) | 0;
    out.push(255, (fixed >>> 24) & 0xff, (fixed >>> 16) & 0xff, (fixed >>> 8) & 0xff, fixed & 0xff);
  } else if (value >= -107 && value <= 107) {
    out.push(value + 139);
  } else if (value >= 108 && value <= 1131) {
    out.push(((value - 108) >> 8) + 247, (value - 108) & 0xff);
  } else if (value >= -1131 && value <= -108) {
    out.push(((-value - 108) >> 8) + 251, (-value - 108) & 0xff);
  } else {
    out.push(28, (value >> 8) & 0xff, value & 0xff);
  }
}

/** A glyph outline as a charstring of relative moves, lines and cubic curves. */
export function charstring(commands: PathCommand[]): Uint8Array {
  const out: number[] = [];
  let [x, y] = [0, 0];
  const to = (points: number[], operator: number) => {
    for (let index = 0; index < points.length; index += 2) {
      operand(points[index]! - x, out);
      operand(points[index + 1]! - y, out);
      [x, y] = [points[index]!, points[index + 1]!];
    }
    out.push(operator);
  };
  for (const { command, args } of commands) {
    if (command === 'moveTo') to(args, RMOVETO);
    else if (command === 'lineTo') to(args, RLINETO);
    else if (command === 'bezierCurveTo') to(args, RRCURVETO);
    else if (command === 'quadraticCurveTo') {
      // CFF has cubic curves only; a quadratic one is the cubic with control points 2/3 of the way.
      const [cx, cy, ex, ey] = args as [number, number, number, number];
      to([x + ((cx - x) * 2) / 3, y + ((cy - y) * 2) / 3, ex + ((cx - ex) * 2) / 3, ey + ((cy - ey) * 2) / 3, ex, ey], RRCURVETO);
    }
    // closePath: a CFF contour closes by itself at the next move or at the end.
  }
  out.push(ENDCHAR);
  return Uint8Array.from(out);
}

const withoutSubrs = (dict: CffDict): CffDict => {
  const copy: CffDict = { ...dict };
  delete copy.FontName;
  if (copy.Private) copy.Private = { ...copy.Private, Subrs: null };
  return copy;
};

/** Makes `font`'s subsets (pdfkit makes one per document) embed outlines without subroutines. */
export function embedWithoutSubroutines(font: Font): void {
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset() as unknown as CffSubset;
    const cff = subset.cff;
    if (!cff) return subset as never;
    subset.subsetCharstrings = () => {
      subset.charstrings = subset.glyphs.map((id) => charstring(font.getGlyph(id).path.commands as PathCommand[]));
      subset.gsubrs = [];
    };
    subset.subsetFontdict = (topDict) => {
      const fdArray: CffDict[] = [];
      const fds: number[] = [];
      const index = new Map<number, number>();
      for (const glyph of subset.glyphs) {
        const fd = cff.fdForGlyph(glyph);
        if (fd == null) continue;
        if (!index.has(fd)) index.set(fd, fdArray.push(withoutSubrs(cff.topDict.FDArray![fd]!)) - 1);
        fds.push(index.get(fd)!);
      }
      topDict.FDArray = fdArray;
      topDict.FDSelect = { version: 0, fds };
    };
    subset.createCIDFontdict = (topDict) => {
      topDict.FDArray = [withoutSubrs({ Private: cff.topDict.Private ?? {} })];
      topDict.FDSelect = { version: 3, nRanges: 1, ranges: [{ first: 0, fd: 0 }], sentinel: subset.glyphs.length };
    };
    return subset as never;
  };
}
