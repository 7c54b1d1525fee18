// Which organization a public request speaks for: on an organization's white-label host only that
// organization's public documents and pages are served; the main host serves every organization.
import type { Deps } from '../../deps.js';

/** The organization whose white-label host `hostHeader` names; undefined on any other host. */
export async function whitelabelScope(deps: Deps, hostHeader: string | undefined): Promise<{ id: string; host: string } | undefined> {
  const host = hostHeader?.toLowerCase();
  if (!host || host === new URL(deps.config.publicUrl).host) return undefined;
  const organization = await deps.reader.organization.findUnique({ where: { whitelabelHost: host }, select: { id: true } });
  return organization ? { id: organization.id, host } : undefined;
}
