// The badge image with the credential baked in (GET /awards/{publicId}/badge.png and .svg): the
// template's image, fetched under the certificate images' rules (PNG or JPEG, public hosts,
// small, quick), or the default badge drawn from the badge's name when there is none or it
// cannot be had. A JPEG becomes a PNG through resvg; a raster image in the SVG form is embedded
// as a data: URL. A template's SVG is never fetched: served from this origin, it could run script.
import { Resvg } from '@resvg/resvg-js';
import { LRUCache } from 'lru-cache';
import type { ImageFetcher } from '../certificates/index.js';
import { bakePng, bakeSvg } from './bake.js';
import { defaultBadgePng, defaultBadgeSvg } from './default-badge.js';
import type { JsonObject } from './types.js';

const SIZE = 512;
/** As the image fetcher's own cache: a changed or repaired image shows within this time. */
const CACHE_TTL_MS = 10 * 60_000;

function isPngBytes(bytes: Uint8Array): boolean {
  return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/** An SVG that shows a raster image, scaled to fit a square. */
function rasterSvg(bytes: Buffer, title: string): string {
  const type = isPngBytes(bytes) ? 'image/png' : 'image/jpeg';
  const escaped = title.replace(/[&<>"']/g, (char) => `&#${char.codePointAt(0)};`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img">`,
    `<title>${escaped}</title>`,
    `<image href="data:${type};base64,${bytes.toString('base64')}" width="${SIZE}" height="${SIZE}" preserveAspectRatio="xMidYMid meet"/>`,
    '</svg>',
  ].join('');
}

export interface BadgeImageSource {
  /** The template version's image (or the award's own), if any. */
  imageUrl: string | null;
  /** The badge's name: drawn on the default badge, and its title. */
  name: string;
}

export class BadgeImages {
  // Unbaked images by source: rendering the default badge or a JPEG costs milliseconds, baking
  // the credential into the result costs next to nothing.
  readonly #png = new LRUCache<string, Promise<Buffer>>({ max: 200, ttl: CACHE_TTL_MS });
  readonly #svg = new LRUCache<string, Promise<string>>({ max: 200, ttl: CACHE_TTL_MS });

  constructor(private readonly fetcher: ImageFetcher) {}

  async png(source: BadgeImageSource, credential: JsonObject | string): Promise<Buffer> {
    return bakePng(await this.#cached(this.#png, source, () => this.#basePng(source)), credential);
  }

  async svg(source: BadgeImageSource, credential: JsonObject | string): Promise<string> {
    return bakeSvg(await this.#cached(this.#svg, source, () => this.#baseSvg(source)), credential);
  }

  #cached<T extends Buffer | string>(cache: LRUCache<string, Promise<T>>, source: BadgeImageSource, make: () => Promise<T>): Promise<T> {
    const key = `${source.imageUrl ?? ''}\n${source.name}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = make();
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }

  async #basePng(source: BadgeImageSource): Promise<Buffer> {
    const fetched = await this.fetcher.get(source.imageUrl);
    if (!fetched) return defaultBadgePng({ name: source.name, size: SIZE });
    if (isPngBytes(fetched)) return fetched;
    return new Resvg(rasterSvg(fetched, source.name), { fitTo: { mode: 'width', value: SIZE }, font: { loadSystemFonts: false } }).render().asPng();
  }

  async #baseSvg(source: BadgeImageSource): Promise<string> {
    const fetched = await this.fetcher.get(source.imageUrl);
    return fetched ? rasterSvg(fetched, source.name) : defaultBadgeSvg({ name: source.name });
  }
}
