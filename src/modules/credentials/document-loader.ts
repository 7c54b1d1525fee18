// A JSON-LD document loader that answers only from memory: the packaged contexts, our extension
// context, and what the caller adds (keys and controller documents it trusts). Any other URL is
// an error, never a fetch: what a signature covers must not depend on a remote server's answer.
import type { DocumentLoader, RemoteDocument } from 'jsonld-signatures';
import { extensionContext, extensionContextUrl, staticContexts } from './contexts.js';
import type { JsonObject } from './types.js';

export type { DocumentLoader, RemoteDocument };

/** Extra documents by URL; return undefined for a URL it does not know. */
export type ExtraDocuments = (url: string) => JsonObject | undefined | Promise<JsonObject | undefined>;

export interface DocumentLoaderOptions {
  /** The server's public URL: its extension context is served at `<publicUrl>/contexts/badges-v1.jsonld`. */
  publicUrl?: string;
  /** Asked after the built-in contexts, e.g. for verification methods and controller documents. */
  extra?: ExtraDocuments;
}

export class UnknownDocumentError extends Error {
  constructor(readonly url: string) {
    super(`The document ${url} is not known here (documents are never fetched)`);
    this.name = 'UnknownDocumentError';
  }
}

export function createDocumentLoader(options: DocumentLoaderOptions = {}): DocumentLoader {
  const known = new Map(staticContexts);
  if (options.publicUrl !== undefined) known.set(extensionContextUrl(options.publicUrl), extensionContext);
  const { extra } = options;
  return async (url: string): Promise<RemoteDocument> => {
    const document = known.get(url) ?? (extra ? await extra(url) : undefined);
    if (!document) throw new UnknownDocumentError(url);
    return { contextUrl: null, documentUrl: url, document };
  };
}

/** `extra` for a fixed set of documents, each under its own `id` (e.g. keys and their controllers). */
export function documentsById(documents: readonly JsonObject[]): ExtraDocuments {
  const byId = new Map(documents.map((document) => [String(document.id), document]));
  return (url) => byId.get(url);
}
