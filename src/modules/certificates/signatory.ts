// How an award's certificate is signed and branded: the template's signatory when it names one,
// else the organization's; the organization's brand colour. Read beside the public award, which
// carries only what the public page shows.
import type { Deps } from '../../deps.js';
import type { CertificateData } from './pdf.js';

export type CertificateBranding = Pick<CertificateData, 'signatoryName' | 'signatoryTitle' | 'brandColor'>;

export async function certificateBranding(deps: Deps, awardId: string): Promise<CertificateBranding> {
  const award = await deps.reader.award.findUnique({
    where: { id: awardId },
    select: {
      organization: { select: { brandColor: true, signatoryName: true, signatoryTitle: true } },
      template: { select: { signatoryName: true, signatoryTitle: true } },
    },
  });
  if (!award) return {};
  const { organization, template } = award;
  // A name and its title go together: a template's title never lands under the organization's name.
  const signatory = template.signatoryName ? template : organization;
  return { signatoryName: signatory.signatoryName, signatoryTitle: signatory.signatoryTitle, brandColor: organization.brandColor };
}
