// Baking (Open Badges 3.0, section "Baked Badges"): the credential travels inside the badge image.
// PNG: an uncompressed iTXt chunk with keyword `openbadgecredential`, before IEND.
// SVG: an `<openbadges:credential>` element first in the root, holding the JSON in CDATA, or
// for a VC-JWT nothing but a `verify` attribute with the compact JWS.
// The value is either the JSON-LD credential's text or a compact JWT; unbaking returns it as is.
// Unbaking also reads Open Badges 2.0 images (for imports from other platforms): PNG keyword
// `openbadges`, SVG `<openbadges:assertion>` in the namespace http://openbadges.org, holding the
// assertion's JSON, its compact JWS, or (hosted assertions) its URL.
import { isPng, itxtChunk, readItxt, readPngChunks, writePng } from './png.js';
import type { JsonObject } from './types.js';

export const PNG_KEYWORD = 'openbadgecredential';
export const OB_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';
/** Open Badges 2.0's PNG keyword and SVG namespace. */
export const OB2_PNG_KEYWORD = 'openbadges';
export const OB2_NAMESPACE = 'http://openbadges.org';

const JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function isCompactJwt(value: string): boolean {
  return JWT_PATTERN.test(value);
}

function bakedText(credential: string | JsonObject): string {
  return typeof credential === 'string' ? credential.trim() : JSON.stringify(credential);
}

function keywordOf(data: Buffer): string {
  const end = data.indexOf(0);
  return data.subarray(0, end < 0 ? data.length : end).toString('latin1');
}

/**
 * The PNG with the credential baked in; a credential baked earlier is replaced. `keyword` is
 * OB2_PNG_KEYWORD only to bake an Open Badges 2.0 assertion (what other platforms' images carry).
 */
export function bakePng(png: Uint8Array, credential: string | JsonObject, keyword: string = PNG_KEYWORD): Buffer {
  const chunks = readPngChunks(png).filter(({ type, data }) => !(type === 'iTXt' && keywordOf(data) === keyword));
  chunks.splice(chunks.length - 1, 0, itxtChunk(keyword, bakedText(credential)));
  return writePng(chunks);
}

/** The baked credential's text (an Open Badges 3.0 credential first, else a 2.0 assertion), or undefined when the PNG carries none. */
export function unbakePng(png: Uint8Array): string | undefined {
  const chunks = readPngChunks(png).filter(({ type }) => type === 'iTXt');
  const chunk =
    chunks.find(({ data }) => keywordOf(data) === PNG_KEYWORD) ?? chunks.find(({ data }) => keywordOf(data) === OB2_PNG_KEYWORD);
  return chunk ? readItxt(chunk.data).text.trim() : undefined;
}

// SVG is handled as text, not parsed into a DOM: the image must come back byte for byte except
// for the one element, and the few constructs that matter (prolog, root start tag, our element)
// are simple to find.

/** Where the root `<svg` start tag begins, past the XML declaration, doctype and comments. */
function rootStart(svg: string): number {
  let index = 0;
  for (;;) {
    index = svg.indexOf('<', index);
    if (index < 0) throw new Error('Not an SVG document: no <svg> element');
    if (svg.startsWith('<?', index)) index = after(svg, '?>', index);
    else if (svg.startsWith('<!--', index)) index = after(svg, '-->', index);
    else if (svg.startsWith('<!', index)) {
      const close = svg.indexOf('>', index);
      const subset = svg.indexOf('[', index);
      index = subset >= 0 && subset < close ? after(svg, ']>', subset) : after(svg, '>', index);
    } else if (/^<svg[\s/>]/.test(svg.slice(index, index + 5))) return index;
    else throw new Error('Not an SVG document: its root element is not <svg>');
  }
}

function after(text: string, token: string, from: number): number {
  const found = text.indexOf(token, from);
  if (found < 0) throw new Error(`Malformed SVG: ${token} missing`);
  return found + token.length;
}

/** The end of the start tag beginning at `start`: the index just past its `>`. */
function tagEnd(svg: string, start: number): number {
  let quote: string | undefined;
  for (let index = start; index < svg.length; index++) {
    const char = svg[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '>') return index + 1;
  }
  throw new Error('Malformed SVG: unterminated start tag');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity]!;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The prefix the document binds to an Open Badges namespace (usually `openbadges`). */
function obPrefix(svg: string, namespace = OB_NAMESPACE): string | undefined {
  const match = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*(["'])${escapeRegExp(namespace)}\\/?\\2`).exec(svg);
  return match?.[1];
}

/** Start and end of the first credential element (or `element`), and its start tag. */
function findCredentialElement(
  svg: string,
  prefix: string,
  element = 'credential',
): { start: number; end: number; startTag: string; body: string } | undefined {
  const open = new RegExp(`<${escapeRegExp(prefix)}:${element}(?=[\\s/>])`).exec(svg);
  if (!open) return undefined;
  const startTagEnd = tagEnd(svg, open.index);
  const startTag = svg.slice(open.index, startTagEnd);
  if (startTag.endsWith('/>')) return { start: open.index, end: startTagEnd, startTag, body: '' };
  const close = `</${prefix}:${element}>`;
  const closeIndex = svg.indexOf(close, startTagEnd);
  if (closeIndex < 0) throw new Error(`Malformed SVG: ${close} missing`);
  return { start: open.index, end: closeIndex + close.length, startTag, body: svg.slice(startTagEnd, closeIndex) };
}

/** The SVG with the credential baked in; a credential baked earlier is replaced. */
export function bakeSvg(svg: string, credential: string | JsonObject): string {
  const prefix = obPrefix(svg);
  const existing = prefix ? findCredentialElement(svg, prefix) : undefined;
  if (existing) svg = svg.slice(0, existing.start) + svg.slice(existing.end);
  const text = bakedText(credential);
  const element = isCompactJwt(text)
    ? `<openbadges:credential verify="${escapeAttribute(text)}"></openbadges:credential>`
    : `<openbadges:credential><![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]></openbadges:credential>`;
  const start = rootStart(svg);
  const end = tagEnd(svg, start);
  let startTag = svg.slice(start, end);
  const binding = /\sxmlns:openbadges\s*=\s*(["'])([^]*?)\1/.exec(startTag);
  if (!binding) startTag = startTag.replace(/\s*\/?>$/, (close) => ` xmlns:openbadges="${OB_NAMESPACE}"${close.trim()}`);
  else if (binding[2] !== OB_NAMESPACE) throw new Error('The SVG binds the openbadges prefix to another namespace');
  // A self-closing root becomes an element with content.
  const opened = startTag.endsWith('/>') ? `${startTag.slice(0, -2)}>` : startTag;
  const closing = startTag.endsWith('/>') ? '</svg>' : '';
  return svg.slice(0, start) + opened + element + closing + svg.slice(end);
}

/**
 * The baked credential's text (JSON or compact JWT), or undefined when the SVG carries none: an
 * Open Badges 3.0 `<openbadges:credential>`, else a 2.0 `<openbadges:assertion>`.
 */
export function unbakeSvg(svg: string): string | undefined {
  const prefix = obPrefix(svg);
  const ob2Prefix = obPrefix(svg, OB2_NAMESPACE);
  const element =
    (prefix ? findCredentialElement(svg, prefix) : undefined) ?? (ob2Prefix ? findCredentialElement(svg, ob2Prefix, 'assertion') : undefined);
  if (!element) return undefined;
  const verifyMatch = /\sverify\s*=\s*(["'])([^]*?)\1/.exec(element.startTag);
  const verify = verifyMatch ? decodeEntities(verifyMatch[2]!).trim() : undefined;
  // Text content: CDATA sections as they are, everything else with entities decoded.
  const text = element.body
    .replace(/<!\[CDATA\[([^]*?)\]\]>|([^<]+)|<[^>]*>/g, (_match, cdata?: string, plain?: string) => cdata ?? (plain === undefined ? '' : decodeEntities(plain)))
    .trim();
  // A 2.0 hosted assertion's `verify` is its URL, with the assertion itself often in the content.
  if (verify !== undefined && (isCompactJwt(verify) || !text)) return verify;
  return text || undefined;
}

export type ImageFormat = 'png' | 'svg';

/** The image's format and baked credential text (undefined when none is baked in). */
export function unbakeImage(bytes: Uint8Array): { format: ImageFormat; value: string | undefined } {
  if (isPng(bytes)) return { format: 'png', value: unbakePng(bytes) };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (/<svg[\s/>]/.test(text)) return { format: 'svg', value: unbakeSvg(text) };
  throw new Error('The image is neither PNG nor SVG');
}
