// Large JSON bodies are read in steps that let other requests in between. Decoding and parsing a
// 4 MiB body takes about 30 ms of one core; Yoga does both, and the rest of the request, in one
// turn of the event loop, so every other client waited for all of it. For bodies over
// YIELD_ABOVE_BYTES the steps are split by a turn of the loop each; smaller bodies keep Yoga's own
// parser, which costs less.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const YIELD_ABOVE_BYTES = 256 * 1024;

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

export function useYieldingJsonParser(): Plugin {
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST' || Number(request.headers.get('content-length') ?? 0) <= YIELD_ABOVE_BYTES) return;
      setRequestParser(async (large) => {
        const bytes = await large.arrayBuffer();
        await nextTurn();
        const text = Buffer.from(bytes).toString('utf8');
        await nextTurn();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw badRequest('POST body sent invalid JSON.');
        }
        await nextTurn();
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('POST body is expected to be a JSON object.');
        return body as never;
      });
    },
  };
}
