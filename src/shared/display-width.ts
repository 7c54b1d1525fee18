// How many columns a string takes in East Asian typography: a wide or fullwidth character (CJK
// ideographs, kana, Hangul, fullwidth forms) two, anything else one. get-east-asian-width holds
// Unicode's own EastAsianWidth table, regenerated for each Unicode release, so new ideograph
// blocks count without a hand-kept range list. Ambiguous characters (Greek, Cyrillic, some
// symbols) count as narrow, as UAX #11 advises when the context is unknown.
import { eastAsianWidth } from 'get-east-asian-width';

export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += eastAsianWidth(character.codePointAt(0)!);
  return width;
}
