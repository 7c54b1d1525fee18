// GET /awards/{publicId}/pdf: the award's certificate, public like the award page (the public id
// is the secret). Served by the Node server in front of Yoga (src/app.ts), as a plain HTTP route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deps } from '../../deps.js';
import { fontLibrary } from './fonts.js';
import { ImageFetcher } from './images.js';
import { renderCertificate } from './pdf.js';
import { certificateBranding } from './signatory.js';
import { findPublicAward, wasDeleted, WITHDRAWN } from '../awards/index.js';

const ROUTE = /^\/awards\/([A-Za-z0-9_-]{1,100})\/pdf\/?$/;

export type CertificateResult =
  | { status: 200; pdf: Buffer; fileName: string }
  | { status: 404 | 410; message: string };

export class CertificateRenderer {
  // Parsed once per process, each face when a certificate first needs it.
  readonly #fonts = fontLibrary();
  readonly #images: ImageFetcher;

  constructor(private readonly deps: Deps) {
    this.#images = new ImageFetcher(deps.config.certificateImages);
  }

  async render(publicId: string): Promise<CertificateResult> {
    const award = await findPublicAward(this.deps, { publicId });
    if (!award) {
      return (await wasDeleted(this.deps, publicId)) ? { status: 410, message: 'This award was deleted.' } : { status: 404, message: 'No award has this id.' };
    }
    if (WITHDRAWN.includes(award.status)) {
      return { status: 410, message: `This award was ${award.status.toLowerCase()}; it has no certificate.` };
    }
    const [organization, template, branding] = await Promise.all([
      this.#images.get(award.organization.imageUrl),
      this.#images.get(award.template.imageUrl),
      certificateBranding(this.deps, award.awardId),
    ]);
    const pdf = await renderCertificate({ ...award, ...branding }, this.#fonts, { organization, template }, this.deps.clock.now());
    const fileName = `certificate-${award.publicId}.pdf`;
    return { status: 200, pdf, fileName };
  }

  logError(error: unknown): void {
    this.deps.logger.error({ err: error }, 'certificate failed');
  }
}

/** Serves the route when the request is for it; returns false to let Yoga handle the rest. */
export function handleCertificateRequest(renderer: CertificateRenderer, request: IncomingMessage, response: ServerResponse): boolean {
  const match = ROUTE.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
  if (!match) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    response.end('Method not allowed.\n');
    return true;
  }
  renderer.render(match[1]!).then(
    (result) => {
      if (result.status !== 200) {
        response.writeHead(result.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        response.end(`${result.message}\n`);
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/pdf',
        'content-length': result.pdf.length,
        'content-disposition': `inline; filename="${result.fileName}"`,
        // A revocation must show at once, so the certificate is not cached.
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      response.end(request.method === 'HEAD' ? undefined : result.pdf);
    },
    (error: unknown) => {
      renderer.logError(error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Unexpected error.\n');
    },
  );
  return true;
}
