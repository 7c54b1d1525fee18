// The `status` check: is the credential revoked or suspended in the status list it names?
// A list is looked up only through the caller's resolver (this library fetches nothing). A status
// we cannot learn (no resolver, a list it cannot supply, a status type we do not read) passes with
// a message starting "unknown": failing would refuse every credential whose issuer is offline,
// and the message lets the caller show that the status was not checked.
import { checkDataIntegrityProof, type ProofCheckOptions } from './proof.js';
import { getBit, readStatusEntry, readStatusList } from './status-list.js';
import { asArray, isObject, type CheckResult, type JsonObject } from './types.js';
import { validityCheck } from './validity.js';

/**
 * A list the caller read from a source it vouches for (a server's own database): its bits, with
 * no proof or dates to check.
 */
export interface TrustedStatusList {
  trusted: true;
  purpose: string;
  bitstring: Uint8Array;
}

type ResolvedStatusList = JsonObject | TrustedStatusList;

/** The status list credential at `url` (or its trusted bits), or undefined when the caller cannot supply it. */
export type StatusListResolver = (url: string) => ResolvedStatusList | undefined | Promise<ResolvedStatusList | undefined>;

function isTrusted(list: ResolvedStatusList): list is TrustedStatusList {
  return list.trusted === true && list.bitstring instanceof Uint8Array;
}

export interface StatusCheckOptions extends ProofCheckOptions {
  resolveStatusList?: StatusListResolver;
  now: Date;
}

const SET_WORDING: Record<string, string> = { revocation: 'revoked', suspension: 'suspended' };

const LIST_CLOCK_LEEWAY_MS = 60_000;

type EntryOutcome = { kind: 'clear' | 'set' | 'unknown' | 'error'; message: string };

async function checkEntry(entry: unknown, options: StatusCheckOptions): Promise<EntryOutcome> {
  const parsed = readStatusEntry(entry);
  if (!parsed) {
    const type = isObject(entry) ? String(entry.type) : typeof entry;
    return { kind: 'unknown', message: `unknown: status of type ${type} is not read here` };
  }
  const list = options.resolveStatusList ? await options.resolveStatusList(parsed.url) : undefined;
  if (!list) return { kind: 'unknown', message: `unknown: the status list ${parsed.url} is not available` };

  const status = isTrusted(list) ? list : await readSignedList(list, parsed.url, options);
  if ('kind' in status) return status;
  if (status.purpose !== parsed.purpose) {
    return { kind: 'error', message: `The status entry's purpose (${parsed.purpose}) is not its list's (${status.purpose})` };
  }
  if (parsed.index >= status.bitstring.length * 8) {
    return { kind: 'error', message: `Status index ${parsed.index} is outside the list (${status.bitstring.length * 8} entries)` };
  }
  const wording = SET_WORDING[parsed.purpose] ?? `marked for ${parsed.purpose}`;
  return getBit(status.bitstring, parsed.index)
    ? { kind: 'set', message: `${wording} (index ${parsed.index} of ${parsed.url})` }
    : { kind: 'clear', message: `not ${wording}` };
}

/** A signed list's bits, once its proof and dates hold: the same proof and key rules as a credential. */
async function readSignedList(list: JsonObject, url: string, options: StatusCheckOptions): Promise<{ purpose: string; bitstring: Uint8Array } | EntryOutcome> {
  const { proof, issuerKey } = await checkDataIntegrityProof(list, options);
  if (!proof.passed || !issuerKey.passed) {
    return { kind: 'error', message: `The status list ${url} cannot be trusted: ${proof.passed ? issuerKey.message : proof.message}` };
  }
  // A list may have been signed a moment after this verification began, or by a server whose clock
  // runs a little ahead: neither makes it untrustworthy.
  const listValidity = validityCheck(list, options.now, { notBeforeLeewayMs: LIST_CLOCK_LEEWAY_MS });
  if (!listValidity.passed) return { kind: 'unknown', message: `unknown: the status list ${url} is out of date (${listValidity.message})` };
  try {
    return readStatusList(list);
  } catch (error) {
    return { kind: 'error', message: `The status list ${url} cannot be read: ${(error as Error).message}` };
  }
}

export async function checkStatus(credential: JsonObject, options: StatusCheckOptions): Promise<CheckResult> {
  const entries = asArray(credential.credentialStatus);
  if (entries.length === 0) return { passed: true, message: 'The credential has no status to check' };
  const outcomes = await Promise.all(entries.map((entry) => checkEntry(entry, options)));
  const failed = outcomes.filter(({ kind }) => kind === 'set' || kind === 'error');
  if (failed.length > 0) return { passed: false, message: failed.map(({ message }) => message).join('; ') };
  // Unknown outcomes first, so the message starts with "unknown" when any status is unknown.
  const ordered = [...outcomes].sort((a, b) => Number(b.kind === 'unknown') - Number(a.kind === 'unknown'));
  return { passed: true, message: ordered.map(({ message }) => message).join('; ') };
}
