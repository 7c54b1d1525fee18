// Where an organization's credentials and what verifies them are published. Everything lives
// under the issuer's URL, on the organization's white-label host when it has one, else under
// PUBLIC_URL; the default host answers for every organization, so a credential signed before a
// white-label host was set still resolves.
import type { Config } from '../../config.js';
import { MIN_STATUS_LIST_BITS } from './status-list.js';

/** Credentials per status list: the spec's minimum size, so each holder hides among 131,072. */
export const STATUS_LIST_SIZE = MIN_STATUS_LIST_BITS;

export interface IssuerOrganization {
  id: string;
  whitelabelHost: string | null;
}

function base(config: Config, whitelabelHost: string | null): string {
  return whitelabelHost ? `https://${whitelabelHost}` : config.publicUrl;
}

/** The issuer's id: serves its Profile with its keys (the controller document of its key ids). */
export function issuerUrl(config: Config, organization: IssuerOrganization): string {
  return `${base(config, organization.whitelabelHost)}/issuers/${organization.id}`;
}

export function statusListUrl(issuer: string, list: number): string {
  return `${issuer}/status-lists/${list}`;
}

export function achievementUrl(issuer: string, templateId: string, version: number): string {
  return `${issuer}/achievements/${templateId}/${version}`;
}

/** Where an award's credential is served, under its public page. */
export function credentialLinks(awardPage: string) {
  return {
    credential: `${awardPage}/credential`,
    jwt: `${awardPage}/credential.jwt`,
    png: `${awardPage}/badge.png`,
    svg: `${awardPage}/badge.svg`,
  };
}

/** A status list index as its list and its place in it. */
export function statusListPosition(index: number): { list: number; offset: number } {
  return { list: Math.floor(index / STATUS_LIST_SIZE), offset: index % STATUS_LIST_SIZE };
}

// PUBLIC_URL may have a path of its own (behind a proxy): only the end of the path is read.
const ISSUER_PATH = /\/issuers\/([0-9a-f-]{36})(?:\/status-lists\/(\d{1,6}))?$/;

/**
 * The organization an http(s) URL of ours names (an issuer, or one of its status lists), with the
 * host it was named on; undefined for any other URL. The caller checks that the host is the
 * default one or the organization's white-label host.
 */
export function parseIssuerUrl(url: string): { organizationId: string; host: string; statusList?: number } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const match = ISSUER_PATH.exec(parsed.pathname);
  if (!match) return undefined;
  return { organizationId: match[1]!, host: parsed.host, ...(match[2] === undefined ? {} : { statusList: Number(match[2]) }) };
}

/** Whether `host` may speak for the organization: the server's own host, or its white-label host. */
export function hostServes(config: Config, host: string, whitelabelHost: string | null): boolean {
  return host === new URL(config.publicUrl).host || (whitelabelHost !== null && host === whitelabelHost);
}
