// Evidence: what the earner did or made to earn an award (a portfolio page, a project, a
// recording), carried into the award's Open Badges credential as its `evidence`.
import { httpUrl, line, text, z } from '../../shared/validation.js';

export const MAX_EVIDENCE = 20;

export const evidenceSchema = z.object({
  url: httpUrl(),
  name: line(200).nullish(),
  narrative: text(5_000).nullish(),
});

export const evidenceListSchema = z.array(evidenceSchema).max(MAX_EVIDENCE, `must list at most ${MAX_EVIDENCE} items`);

export interface Evidence {
  url: string;
  name?: string | null;
  narrative?: string | null;
}

/** Evidence as stored: only the fields given, so a stored list reads back as it was sent. */
export function storedEvidence(list: ReadonlyArray<z.output<typeof evidenceSchema>> | null | undefined): Evidence[] | null {
  if (!list?.length) return null;
  return list.map(({ url, name, narrative }) => ({ url, ...(name ? { name } : {}), ...(narrative ? { narrative } : {}) }));
}

/** The stored JSON read back; anything not shaped as evidence is left out rather than trusted. */
export function readEvidence(value: unknown): Evidence[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is Evidence => typeof item === 'object' && item !== null && typeof (item as Evidence).url === 'string');
}
