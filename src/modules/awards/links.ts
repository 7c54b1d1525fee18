import type { Config } from '../../config.js';

/** Where anyone can see an award: on the organization's white-label host when it has one. */
export function publicAwardUrl(config: Config, whitelabelHost: string | null, publicId: string): string {
  const base = whitelabelHost ? `https://${whitelabelHost}` : config.publicUrl;
  return `${base}/awards/${encodeURIComponent(publicId)}`;
}
