// What an Open Badges 2.0 import fetches, when IMPORT_FETCH allows: a hosted assertion at its own
// address (the proof of a hosted assertion is that its issuer still publishes it there), and a
// BadgeClass an assertion names by URL. One import asks for each address once.
import type { Config } from '../../config.js';
import { getDocument } from '../../shared/outgoing.js';
import { isObject, type JsonObject } from '../credentials/index.js';

export type FetchAnswer =
  | { found: true; json: JsonObject }
  /** 410 Gone: the issuer revoked it (the 2.0 specification's way for hosted assertions). */
  | { found: false; gone: true }
  | { found: false; gone: false; reason: string };

const LIMITS = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

export class DocumentFetcher {
  readonly #answers = new Map<string, Promise<FetchAnswer>>();

  constructor(private readonly config: Pick<Config, 'importFetch'>) {}

  json(url: string): Promise<FetchAnswer> {
    let answer = this.#answers.get(url);
    if (!answer) {
      answer = this.#fetch(url);
      this.#answers.set(url, answer);
    }
    return answer;
  }

  async #fetch(url: string): Promise<FetchAnswer> {
    const policy = this.config.importFetch;
    if (policy === 'off') return { found: false, gone: false, reason: 'IMPORT_FETCH=off' };
    try {
      const answer = await getDocument(url, {
        ...LIMITS,
        policy,
        setting: 'IMPORT_FETCH',
        accept: 'application/ld+json, application/json;q=0.9',
        userAgent: 'badge-platform-imports/1',
      });
      if (answer.status === 410) return { found: false, gone: true };
      if (answer.status !== 200) return { found: false, gone: false, reason: `it answered ${answer.status}` };
      const json: unknown = JSON.parse(answer.body.toString('utf8'));
      return isObject(json) ? { found: true, json } : { found: false, gone: false, reason: 'its answer is not a JSON object' };
    } catch (error) {
      return { found: false, gone: false, reason: error instanceof SyntaxError ? 'its answer is not JSON' : (error as Error).message };
    }
  }
}
