// Just enough PNG to bake a credential: split a file into chunks, put chunks back together, and
// read/write iTXt (international text) chunks. Pixels are never decoded. CRCs come from
// node:zlib's crc32 (Node ≥ 20.15, below the engines floor of 20.19).
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A text chunk larger than this is refused when read (a credential is a few kilobytes). */
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

export interface PngChunk {
  type: string;
  data: Buffer;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.equals(bytes.subarray(0, SIGNATURE.length));
}

/** The chunks of a PNG, checked: signature, lengths, CRCs, IHDR first and IEND last. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  if (!isPng(png)) throw new Error('Not a PNG file');
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let offset = SIGNATURE.length;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error('Truncated PNG chunk');
    const length = bytes.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) throw new Error('Truncated PNG chunk');
    const typeAndData = bytes.subarray(offset + 4, offset + 8 + length);
    if (crc32(typeAndData) !== bytes.readUInt32BE(offset + 8 + length)) throw new Error('PNG chunk with a wrong CRC');
    chunks.push({ type: typeAndData.subarray(0, 4).toString('latin1'), data: typeAndData.subarray(4) });
    offset = end;
    if (chunks.at(-1)!.type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR' || chunks.at(-1)?.type !== 'IEND') throw new Error('A PNG must start with IHDR and end with IEND');
  return chunks;
}

export function writePng(chunks: readonly PngChunk[]): Buffer {
  const parts: Buffer[] = [SIGNATURE];
  for (const { type, data } of chunks) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(data.length, 0);
    header.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data, crc32(header.subarray(4))));
    parts.push(header, data, crc);
  }
  return Buffer.concat(parts);
}

/** An uncompressed iTXt chunk: keyword, no language tag, no translated keyword, UTF-8 text. */
export function itxtChunk(keyword: string, text: string): PngChunk {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return { type: 'iTXt', data };
}

/** The keyword and text of an iTXt chunk (compressed ones are inflated). */
export function readItxt(data: Buffer): { keyword: string; text: string } {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 1 || keywordEnd + 3 > data.length) throw new Error('Malformed iTXt chunk');
  const compressed = data[keywordEnd + 1] === 1;
  // Skip the compression flag and method, then the language tag and translated keyword (each NUL-terminated).
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) throw new Error('Malformed iTXt chunk');
  const raw = data.subarray(translatedEnd + 1);
  const text = compressed ? inflateSync(raw, { maxOutputLength: MAX_TEXT_BYTES }) : raw;
  return { keyword: data.subarray(0, keywordEnd).toString('latin1'), text: text.toString('utf8') };
}
