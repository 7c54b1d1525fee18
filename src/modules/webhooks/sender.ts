// One webhook request: a signed POST with a timeout, to an address the operator allows (the
// address rules are applied where the connection is made: ../../shared/outgoing.ts).
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { AddressPolicy } from '../../shared/addresses.js';
import { blockedLiteral, guardedLookup } from '../../shared/outgoing.js';

const SETTING = 'WEBHOOK_ADDRESSES';

/** Characters of the response body kept on the delivery. */
export const EXCERPT_CHARS = 500;

export interface SendResult {
  /** The HTTP status, when a response came. */
  status?: number;
  /** The start of the response body, or why there was no response. */
  excerpt: string;
  ok: boolean;
}

export interface SignedRequest {
  url: string;
  /** The endpoint's secret, then any other that still signs (the one before a rotation). */
  secrets: readonly string[];
  /** The event's id (`webhook-id`), the same for every attempt and endpoint. */
  eventId: string;
  body: string;
  at: Date;
}

/** The Standard Webhooks headers of a body. */
export function signatureHeaders(request: Omit<SignedRequest, 'url'>): Record<string, string> {
  return {
    'webhook-id': request.eventId,
    'webhook-timestamp': String(Math.floor(request.at.getTime() / 1000)),
    // One `v1,<signature>` per secret, separated by spaces, as the specification allows.
    'webhook-signature': request.secrets.map((secret) => new Webhook(secret).sign(request.eventId, request.at, request.body)).join(' '),
  };
}

export async function sendWebhook(request: SignedRequest, options: { policy: AddressPolicy; timeoutMs: number }): Promise<SendResult> {
  const url = new URL(request.url);
  const refused = blockedLiteral(url, options.policy, SETTING);
  if (refused) return { ok: false, excerpt: refused.message };
  const body = Buffer.from(request.body);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const outgoing = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': 'badge-platform-webhooks/1',
          ...signatureHeaders(request),
        },
        lookup: guardedLookup(options.policy, SETTING) as never,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const status = response.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS) });
        };
        response.on('data', (chunk: Buffer) => {
          // Only the start is kept; a receiver that answers at length is not read to the end.
          if (size < EXCERPT_CHARS * 4) chunks.push(chunk);
          size += chunk.length;
          if (size >= EXCERPT_CHARS * 4) {
            response.destroy();
            finish();
          }
        });
        response.on('end', finish);
        response.on('error', finish);
        // Settles the promise whatever ends the response (a timeout has already failed it).
        response.on('close', finish);
      },
    );
    outgoing.on('error', (error: Error) => {
      const reason = error.name === 'AbortError' || error.name === 'TimeoutError' ? `no response within ${options.timeoutMs} ms` : error.message;
      resolve({ ok: false, excerpt: reason.slice(0, EXCERPT_CHARS) });
    });
    outgoing.end(body);
  });
}
