// Plain GET documents served in front of Yoga (credentials, public pages): one place for the
// method check, revalidation (ETag with `no-cache`, so a change shows at once and an unchanged
// document costs a 304), the error answer, and the headers every such document carries.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface ServedDocument {
  status: number;
  type: string;
  body: string | Buffer;
  /** Headers of this document's own (CORS, a Content-Security-Policy, a file name). */
  headers?: Record<string, string>;
}

/** A plain-text answer, for a missing or gone document. */
export function textDocument(status: number, message: string, headers?: Record<string, string>): ServedDocument {
  return { status, type: 'text/plain; charset=utf-8', body: `${message}\n`, headers };
}

/** Answers a GET or HEAD with what `produce` makes; 405 for any other method; a logged 500 when it fails. */
export function serveDocument(request: IncomingMessage, response: ServerResponse, logger: Logger, produce: () => Promise<ServedDocument>): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    response.end('Method not allowed.\n');
    return;
  }
  produce().then(
    (document) => send(request, response, document),
    (error: unknown) => {
      logger.error({ err: error, url: request.url }, 'document route failed');
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Unexpected error.\n');
    },
  );
}

function send(request: IncomingMessage, response: ServerResponse, document: ServedDocument): void {
  const body = typeof document.body === 'string' ? Buffer.from(document.body) : document.body;
  const ok = document.status === 200;
  const etag = ok ? `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` : undefined;
  const headers: Record<string, string | number> = {
    'content-type': document.type,
    'cache-control': ok ? 'no-cache' : 'no-store',
    'x-content-type-options': 'nosniff',
    ...(etag ? { etag } : {}),
    ...document.headers,
  };
  if (etag && request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(document.status, { ...headers, 'content-length': body.length });
  response.end(request.method === 'HEAD' ? undefined : body);
}
