import { createHash, randomBytes } from 'node:crypto';

// 32 random bytes: guessing is hopeless, so a fast hash is enough to keep stored keys useless
// to a reader of the database (a slow password hash would cost every request for nothing).
export function generateApiKey(): string {
  return `bdg_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, 12);
}
