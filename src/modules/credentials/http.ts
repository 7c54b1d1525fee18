// The public credential routes (no API key; an award's public id is its secret, as for the PDF):
//   GET /awards/{publicId}/credential        the signed credential, JSON-LD
//   GET /awards/{publicId}/credential.jwt    the VC-JWT (EdDSA; ?alg=RS256 for RS256)
//   GET /awards/{publicId}/badge.png|.svg    the badge image with the credential baked in
//   GET /issuers/{organizationId}            the issuer's Profile and keys
//   GET /issuers/{id}/status-lists/{n}       a signed status list
//   GET /issuers/{id}/achievements/{templateId}/{version}
//   GET /contexts/badges-v1.jsonld           our JSON-LD extension context
// A request on an organization's white-label host sees that organization only. A deleted award's
// URLs answer 410 Gone. Responses carry an ETag and must be revalidated (Cache-Control: no-cache):
// a change shows at once, and an unchanged document costs a 304. Anyone may read them from a
// browser (CORS *): verifiers are web pages on other origins.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deps } from '../../deps.js';
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

type Body = { status: 200; type: string; body: string | Buffer; fileName?: string } | { status: 404 | 410; message: string };

/** The URL of an object's `image` (the award's own on the subject, the badge's on the credential). */
function imageOf(value: unknown): string | null {
  const image = isObject(value) ? value.image : undefined;
  return isObject(image) && typeof image.id === 'string' ? image.id : null;
}

function notFound<T>(found: Found<T> & { found: false }): Body {
  return found.gone ? { status: 410, message: 'This award was deleted.' } : { status: 404, message: 'No award has this id.' };
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
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('Method not allowed.\n');
      return true;
    }
    answer().then(
      (result) => send(request, response, result),
      (error: unknown) => {
        this.deps.logger.error({ err: error, url: request.url }, 'credential route failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Unexpected error.\n');
      },
    );
    return true;
  }

  #route(request: IncomingMessage, pathname: string): (() => Promise<Body>) | undefined {
    if (pathname === EXTENSION_CONTEXT_PATH) {
      return () => Promise.resolve({ status: 200, type: 'application/ld+json', body: `${JSON.stringify(extensionContext, null, 2)}\n` });
    }
    const award = AWARD_ROUTE.exec(pathname);
    if (award) return () => this.#award(request, award[1]!, award[2]!);
    const issuer = ISSUER_ROUTE.exec(pathname);
    if (issuer) return () => this.#issuer(request, issuer[1]!, issuer[2], issuer[3], issuer[4]);
    return undefined;
  }

  async #award(request: IncomingMessage, publicId: string, what: string): Promise<Body> {
    const scope = await whitelabelScope(this.deps, request.headers.host);
    if (scope && !(await this.deps.reader.award.findFirst({ where: { publicId, organizationId: scope.id }, select: { id: true } }))) {
      return { status: 404, message: 'No award has this id.' };
    }
    const ref = { publicId };
    if (what === 'credential.jwt') {
      const alg = new URL(request.url ?? '/', 'http://localhost').searchParams.get('alg') === 'RS256' ? 'RS256' : 'EdDSA';
      const jwt = await this.credentials.jwt(ref, alg);
      return jwt.found ? { status: 200, type: 'application/vc+jwt', body: jwt.value } : notFound(jwt);
    }
    const signed = await this.credentials.signed(ref);
    if (!signed.found) return notFound(signed);
    const credential = signed.value;
    if (what === 'credential') return { status: 200, type: jsonLdType(request), body: `${JSON.stringify(credential, null, 2)}\n` };
    const source = { imageUrl: imageOf(credential.credentialSubject) ?? imageOf(credential), name: String(credential.name) };
    const fileName = `badge-${publicId}.${what.endsWith('png') ? 'png' : 'svg'}`;
    return what === 'badge.png'
      ? { status: 200, type: 'image/png', body: await this.images.png(source, credential), fileName }
      : { status: 200, type: 'image/svg+xml', body: await this.images.svg(source, credential), fileName };
  }

  async #issuer(request: IncomingMessage, organizationId: string, list?: string, templateId?: string, version?: string): Promise<Body> {
    const scope = await whitelabelScope(this.deps, request.headers.host);
    const missing: Body = { status: 404, message: 'No such issuer document.' };
    if (scope && scope.id !== organizationId) return missing;
    const issuer = `${scope ? `https://${scope.host}` : this.deps.config.publicUrl}/issuers/${organizationId}`;
    let document;
    if (list !== undefined) {
      const number = Number(list);
      if (await this.credentials.statusLists.exists(organizationId, number)) {
        document = await this.credentials.statusLists.credential(organizationId, issuer, number);
      }
    } else if (templateId !== undefined) {
      const where = { organizationId, templateId, version: Number(version) };
      document = await achievementDocument(this.deps, where, achievementUrl(issuer, templateId, where.version), issuer);
    } else {
      document = await issuerDocument(this.deps, this.credentials.keys, organizationId, issuer);
    }
    return document ? { status: 200, type: jsonLdType(request), body: `${JSON.stringify(document, null, 2)}\n` } : missing;
  }
}

function send(request: IncomingMessage, response: ServerResponse, result: Body): void {
  const common = { 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' };
  if (result.status !== 200) {
    response.writeHead(result.status, { ...common, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`${result.message}\n`);
    return;
  }
  const etag = `"${createHash('sha256').update(result.body).digest('base64url').slice(0, 27)}"`;
  const headers: Record<string, string | number> = {
    ...common,
    'content-type': result.type,
    'cache-control': 'no-cache',
    etag,
    // An SVG from this origin must not run anything, even opened on its own.
    ...(result.type === 'image/svg+xml' ? { 'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'" } : {}),
    ...(result.fileName ? { 'content-disposition': `inline; filename="${result.fileName}"` } : {}),
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const body = typeof result.body === 'string' ? Buffer.from(result.body) : result.body;
  response.writeHead(200, { ...headers, 'content-length': body.length });
  response.end(request.method === 'HEAD' ? undefined : body);
}
