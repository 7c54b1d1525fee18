// The public pages, served by the Node server in front of Yoga (src/app.ts), no API key:
//   GET /awards/{publicId}              the award page (HTML)
//   GET /awards/{publicId}/logo         the issuer's logo, fetched under the certificate image rules
//   GET /boards/{publicBoardId}         a published leaderboard's screen (HTML)
//   GET /boards/{publicBoardId}/logo    its organization's logo
//   GET /assets/…                       the pages' stylesheets and scripts
// On an organization's white-label host only its awards have pages. Pages are revalidated on every
// load (src/transport/documents.ts), so a revocation shows at once, and carry a
// Content-Security-Policy that lets them load nothing from another host and run only their own script.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deps } from '../../deps.js';
import { serveDocument, textDocument, type ServedDocument } from '../../transport/documents.js';
import { findPublicAward, wasDeleted } from '../awards/index.js';
import type { ImageFetcher } from '../certificates/index.js';
import { credentialLinks } from '../credentials/index.js';
import { whitelabelScope } from '../organizations/index.js';
import { findPublishedBoard } from '../leaderboards/index.js';
import { renderAwardPage, renderMissingPage } from './award-page.js';
import { renderBoardPage } from './board-page.js';

const PAGE_ROUTE = /^\/(awards|boards)\/([A-Za-z0-9_-]{1,100})(\/logo)?\/?$/;
const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, string> = {
  '/assets/award-page.css': CSS,
  '/assets/award-page.js': JS,
  '/assets/board-screen.css': CSS,
  '/assets/board-screen.js': JS,
};

const PAGE_POLICY = [
  "default-src 'none'",
  "img-src 'self'",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HTML = 'text/html; charset=utf-8';

function page(status: number, body: string, policy: string): ServedDocument {
  return { status, type: HTML, body, headers: { 'content-security-policy': policy, 'referrer-policy': 'strict-origin-when-cross-origin' } };
}

export class PublicPageRoutes {
  readonly #assets = new Map<string, Buffer>();
  /** A screen may be framed by the organization's own pages (ALLOWED_ORIGINS), unlike award pages. */
  readonly #screenPolicy: string;

  constructor(
    private readonly deps: Deps,
    private readonly images: ImageFetcher,
  ) {
    const origins = deps.config.allowedOrigins.includes('*') ? '*' : ["'self'", ...deps.config.allowedOrigins].join(' ');
    this.#screenPolicy = PAGE_POLICY.replace("frame-ancestors 'none'", `frame-ancestors ${origins}`);
    for (const path of Object.keys(ASSETS)) {
      this.#assets.set(path, readFileSync(new URL(`./assets/${path.slice('/assets/'.length)}`, import.meta.url)));
    }
  }

  /** Serves the request when it is for one of these routes; returns false to let others try. */
  handle(request: IncomingMessage, response: ServerResponse, pathname: string): boolean {
    const asset = this.#assets.get(pathname);
    const route = asset ? undefined : PAGE_ROUTE.exec(pathname);
    if (!asset && !route) return false;
    const [, kind, publicId, logo] = route ?? [];
    serveDocument(request, response, this.deps.logger, () =>
      asset
        ? Promise.resolve({ status: 200, type: ASSETS[pathname]!, body: asset })
        : kind === 'boards'
          ? this.#board(publicId!, logo !== undefined)
          : logo
            ? this.#logo(request, publicId!)
            : this.#page(request, publicId!),
    );
    return true;
  }

  async #find(request: IncomingMessage, publicId: string) {
    const [award, scope] = await Promise.all([findPublicAward(this.deps, { publicId }), whitelabelScope(this.deps, request.headers.host)]);
    return award && (!scope || scope.id === award.organizationId) ? award : undefined;
  }

  async #page(request: IncomingMessage, publicId: string): Promise<ServedDocument> {
    const award = await this.#find(request, publicId);
    if (!award) {
      const gone = await wasDeleted(this.deps, publicId);
      return page(gone ? 410 : 404, renderMissingPage(gone), PAGE_POLICY);
    }
    const credential = credentialLinks(award.verificationUrl);
    const links = { badgePng: credential.png, credential: credential.credential, jwt: credential.jwt, logo: award.organization.imageUrl ? `${award.verificationUrl}/logo` : null };
    return page(200, renderAwardPage({ award, links, now: this.deps.clock.now() }), PAGE_POLICY);
  }

  async #logo(request: IncomingMessage, publicId: string): Promise<ServedDocument> {
    const award = await this.#find(request, publicId);
    return this.#image(award?.organization.imageUrl ?? null);
  }

  async #image(url: string | null): Promise<ServedDocument> {
    const bytes = await this.images.get(url);
    if (!bytes) return textDocument(404, 'No logo.');
    return { status: 200, type: bytes[0] === 0x89 ? 'image/png' : 'image/jpeg', body: bytes };
  }

  /** A published board's screen (or its logo); 404 once it is unpublished. */
  async #board(publicId: string, logo: boolean): Promise<ServedDocument> {
    const board = await findPublishedBoard(this.deps, publicId);
    const organization = board
      ? await this.deps.reader.organization.findUnique({ where: { id: board.organizationId }, select: { name: true, imageUrl: true } })
      : null;
    if (!board || !organization) {
      return page(404, renderMissingPage(false, 'This leaderboard is not published.'), PAGE_POLICY);
    }
    if (logo) return this.#image(organization.imageUrl);
    const view = { publicId, title: board.title, organizationName: organization.name, logo: organization.imageUrl ? `/boards/${publicId}/logo` : null };
    return page(200, renderBoardPage(view), this.#screenPolicy);
  }
}

