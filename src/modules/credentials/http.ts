// The public credential routes (no API key; an award's public id is its secret, as for the PDF):
//   GET /awards/{publicId}/credential        the signed credential, JSON-LD
//   GET /awards/{publicId}/credential.jwt    the VC-JWT (EdDSA; ?alg=RS256 for RS256)
//   GET /awards/{publicId}/badge.png|.svg    the badge image with the credential baked in
//   GET /issuers/{organizationId}            the issuer's Profile and keys
//   GET /issuers/{id}/status-lists/{n}       a signed status list
//   GET /issuers/{id}/achievements/{templateId}/{version}
//   GET /contexts/badges-v1.jsonld           our JSON-LD extension context
// A request on an organization's white-label host sees that organization only. A deleted award's
// URLs answer 410 Gone. Documents are revalidated on every request (src/transport/documents.ts),
// and anyone may read them from a browser (CORS *).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deps } from '../../deps.js';
import { serveDocument, textDocument, type ServedDocument } from '../../transport/documents.js';
import { whitelabelScope } from '../organizations/index.js';
import type { AwardCredentials, Found } from './award-credentials.js';
import type { BadgeImages } from './badge-images.js';
import { EXTENSION_CONTEXT_PATH, extensionContext } from './contexts.js';
import { achievementDocument, issuerDocument } from './issuer-documents.js';
import { isObject, type JsonObject } from './types.js';
import { achievementUrl } from './urls.js';

const AWARD_ROUTE = /^\/awards\/([A-Za-z0-9_-]{1,100})\/(credential|credential\.jwt|badge\.png|badge\.svg)$/;
const ISSUER_ROUTE = /^\/issuers\/([0-9a-f-]{36})(?:\/status-lists\/(\d{1,6})|\/achievements\/([0-9a-f-]{36})\/(\d{1,6}))?$/;

/**
 * `application/ld+json`, the registered JSON-LD type every JSON-LD processor and OB 3.0 verifier
 * reads; a client that asks for VC 2.0's own type by Accept gets it instead.
 */
function jsonLdType(request: IncomingMessage): string {
  const accept = request.headers.accept ?? '';
  if (accept.includes('application/vc+ld+json')) return 'application/vc+ld+json';
  if (/application\/vc(?![+\w])/.test(accept)) return 'application/vc';
  return 'application/ld+json';
}

// Verifiers are web pages on other origins.
const CORS = { 'access-control-allow-origin': '*' };
// An SVG from this origin must not run anything, even opened on its own.
const SVG_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

function document(type: string, body: string | Buffer, headers: Record<string, string> = {}): ServedDocument {
  return { status: 200, type, body, headers: { ...CORS, ...headers } };
}

function json(request: IncomingMessage, value: unknown): ServedDocument {
  return document(jsonLdType(request), `${JSON.stringify(value, null, 2)}\n`);
}

/** The URL of an object's `image` (the award's own on the subject, the badge's on the credential). */
function imageOf(value: unknown): string | null {
  const image = isObject(value) ? value.image : undefined;
  return isObject(image) && typeof image.id === 'string' ? image.id : null;
}

function notFound<T>(found: Found<T> & { found: false }): ServedDocument {
  return found.gone ? textDocument(410, 'This award was deleted.', CORS) : textDocument(404, 'No award has this id.', CORS);
}

export class CredentialRoutes {
  constructor(
    private readonly deps: Deps,
    private readonly credentials: AwardCredentials,
    private readonly images: BadgeImages,
  ) {}

  /** Serves the request when it is for one of these routes; returns false to let others try. */
  handle(request: IncomingMessage, response: ServerResponse, pathname: string): boolean {
    const answer = this.#route(request, pathname);
    if (!answer) return false;
    serveDocument(request, response, this.deps.logger, answer);
    return true;
  }

  #route(request: IncomingMessage, pathname: string): (() => Promise<ServedDocument>) | undefined {
    if (pathname === EXTENSION_CONTEXT_PATH) {
      return () => Promise.resolve(document('application/ld+json', `${JSON.stringify(extensionContext, null, 2)}\n`));
    }
    const award = AWARD_ROUTE.exec(pathname);
    if (award) return () => this.#award(request, award[1]!, award[2]!);
    const issuer = ISSUER_ROUTE.exec(pathname);
    if (issuer) return () => this.#issuer(request, issuer[1]!, issuer[2], issuer[3], issuer[4]);
    return undefined;
  }

  async #award(request: IncomingMessage, publicId: string, what: string): Promise<ServedDocument> {
    // On a white-label host, another organization's public id is unknown, not gone.
    const scope = await whitelabelScope(this.deps, request.headers.host);
    const ref = scope ? { publicId, organizationId: scope.id } : { publicId };
    if (what === 'credential.jwt') {
      const alg = new URL(request.url ?? '/', 'http://localhost').searchParams.get('alg') === 'RS256' ? 'RS256' : 'EdDSA';
      const jwt = await this.credentials.jwt(ref, alg);
      return jwt.found ? document('application/vc+jwt', jwt.value) : notFound(jwt);
    }
    const signed = await this.credentials.signed(ref);
    if (!signed.found) return notFound(signed);
    const credential = signed.value;
    if (what === 'credential') return json(request, credential);
    const source = { imageUrl: imageOf(credential.credentialSubject) ?? imageOf(credential), name: String(credential.name) };
    const disposition = { 'content-disposition': `inline; filename="badge-${publicId}.${what.endsWith('png') ? 'png' : 'svg'}"` };
    return what === 'badge.png'
      ? document('image/png', await this.images.png(source, credential), disposition)
      : document('image/svg+xml', await this.images.svg(source, credential), { ...disposition, 'content-security-policy': SVG_POLICY });
  }

  async #issuer(request: IncomingMessage, organizationId: string, list?: string, templateId?: string, version?: string): Promise<ServedDocument> {
    const scope = await whitelabelScope(this.deps, request.headers.host);
    const missing = textDocument(404, 'No such issuer document.', CORS);
    if (scope && scope.id !== organizationId) return missing;
    const issuer = `${scope ? `https://${scope.host}` : this.deps.config.publicUrl}/issuers/${organizationId}`;
    let found;
    if (list !== undefined) {
      const number = Number(list);
      if (await this.credentials.statusLists.exists(organizationId, number)) {
        found = await this.credentials.statusLists.credential(organizationId, issuer, number);
      }
    } else if (templateId !== undefined) {
      const where = { organizationId, templateId, version: Number(version) };
      found = await achievementDocument(this.deps, where, achievementUrl(issuer, templateId, where.version), issuer);
    } else {
      found = await issuerDocument(this.deps, this.credentials.keys, organizationId, issuer);
    }
    return found ? json(request, found) : missing;
  }
}

