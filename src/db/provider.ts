import type { Provider } from '../../prisma/providers.js';

export type { Provider };

/** `file:` URLs are SQLite databases; `postgres://` and `postgresql://` URLs are PostgreSQL. */
export function providerFromUrl(url: string): Provider | undefined {
  if (url.startsWith('file:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgresql';
  return undefined;
}

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}
