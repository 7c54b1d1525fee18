// What an issuer's URL and the URLs under it serve, besides status lists: the issuer's Profile,
// which is also the controller document of its keys (every key it has had, under
// `verificationMethod`, their ids under `assertionMethod`), and each achievement (a template
// version) its credentials name. All JSON-LD, with contexts any verifier has offline: DID v1,
// OB 3.0 and Multikey v1 from npm packages, and our extension context for `JsonWebKey` and
// `publicKeyJwk` (the CID v1 context, which defines them, is shipped by no npm package).
import type { Deps } from '../../deps.js';
import { DID_V1_CONTEXT_URL, extensionContextUrl, MULTIKEY_V1_CONTEXT_URL, OB_V3_CONTEXT_URL } from './contexts.js';
import { buildAchievement, buildIssuerProfile, tagsOf } from './build.js';
import { verificationMethod, type IssuerKeys } from './issuer-keys.js';
import type { JsonObject } from './types.js';

/**
 * The issuer's Profile with its keys; undefined when there is no such organization. Its keys are
 * made here if it has none yet, so a verifier that looks before the first credential is signed
 * already finds the key that will sign it.
 */
export async function issuerDocument(deps: Deps, keys: IssuerKeys, organizationId: string, issuer: string): Promise<JsonObject | undefined> {
  const organization = await deps.reader.organization.findUnique({
    where: { id: organizationId },
    select: { name: true, url: true, contactEmail: true, imageUrl: true },
  });
  if (!organization) return undefined;
  await keys.ed25519(organizationId, issuer);
  const methods = (await keys.published(organizationId)).map((key) => verificationMethod(issuer, key));
  return {
    '@context': [DID_V1_CONTEXT_URL, OB_V3_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL, extensionContextUrl(deps.config.publicUrl)],
    ...buildIssuerProfile({ id: issuer, name: organization.name, url: organization.url, email: organization.contactEmail, imageUrl: organization.imageUrl }),
    verificationMethod: methods,
    assertionMethod: methods.map((method) => method.id),
  };
}

/** An achievement (a version of a template that has been issued from); undefined otherwise. */
export async function achievementDocument(
  deps: Deps,
  where: { organizationId: string; templateId: string; version: number },
  id: string,
  issuer: string,
): Promise<JsonObject | undefined> {
  const found = await deps.reader.badgeTemplateVersion.findFirst({
    where: { ...where, awards: { some: {} } },
    select: { name: true, description: true, criteriaNarrative: true, criteriaUrl: true, imageUrl: true, level: true, tags: true },
  });
  if (!found) return undefined;
  const achievement = buildAchievement({ ...found, id, tags: tagsOf(found.tags), version: where.version }, issuer);
  return { '@context': [OB_V3_CONTEXT_URL, extensionContextUrl(deps.config.publicUrl)], ...achievement };
}
