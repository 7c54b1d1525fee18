// The public award page: what a verifier and the earner's contacts need at a glance, as plain
// server-rendered HTML. Every value from the database goes through `escape`; the page loads
// nothing from another host (the badge and the issuer's logo are served by this server), and its
// one script only adds the credential check and the engagement counts.
import type { PublicAward } from '../awards/index.js';

export interface AwardPageView {
  award: PublicAward;
  /** This server's URLs for the award's badge image, the issuer's logo and its credential. */
  links: { badgePng: string; logo: string | null; credential: string; jwt: string };
  now: Date;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function date(value: Date): string {
  return `<time datetime="${value.toISOString()}">${dateFormat.format(value)}</time>`;
}

/** The status in words, and the class that gives it its colour (and a text mark, not colour alone). */
export function statusOf(award: PublicAward): { label: string; detail: string; tone: 'valid' | 'pending' | 'expired' | 'revoked' } {
  switch (award.status) {
    case 'ACCEPTED':
      return { label: 'Valid', detail: 'This award is valid.', tone: 'valid' };
    case 'PENDING':
      return { label: 'Pending acceptance', detail: 'Issued and valid; the earner has not accepted it yet.', tone: 'pending' };
    case 'EXPIRED':
      return { label: 'Expired', detail: `This award expired on ${award.expiresAt ? date(award.expiresAt) : 'its expiry date'}.`, tone: 'expired' };
    case 'REVOKED': {
      const when = award.revokedAt ? ` on ${date(award.revokedAt)}` : '';
      const why = award.revokedReason ? ` Reason given: “${escape(award.revokedReason)}”.` : '';
      return { label: 'Revoked', detail: `The issuer revoked this award${when}.${why}`, tone: 'revoked' };
    }
    case 'REJECTED':
      return { label: 'Declined', detail: `The earner declined this award${award.rejectedAt ? ` on ${date(award.rejectedAt)}` : ''}.`, tone: 'revoked' };
  }
}

const LEVELS: Record<string, string> = { BRONZE: 'Bronze level', SILVER: 'Silver level', GOLD: 'Gold level' };

/** Share targets: each opens the network's own share form with the page's URL. */
function shareLinks(url: string, text: string): Array<{ network: string; label: string; href: string }> {
  const u = encodeURIComponent(url);
  const t = encodeURIComponent(text);
  return [
    { network: 'LINKEDIN', label: 'LinkedIn', href: `https://www.linkedin.com/sharing/share-offsite/?url=${u}` },
    { network: 'TWITTER', label: 'X', href: `https://twitter.com/intent/tweet?url=${u}&text=${t}` },
    { network: 'FACEBOOK', label: 'Facebook', href: `https://www.facebook.com/sharer/sharer.php?u=${u}` },
    { network: 'WHATSAPP', label: 'WhatsApp', href: `https://wa.me/?text=${encodeURIComponent(`${text} ${url}`)}` },
    { network: 'TELEGRAM', label: 'Telegram', href: `https://t.me/share/url?url=${u}&text=${t}` },
    { network: 'EMAIL', label: 'Email', href: `mailto:?subject=${t}&body=${encodeURIComponent(`${text}\n${url}`)}` },
  ];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** A URL of this server as a path, so the page's own requests stay on the host that served it. */
function local(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export function renderAwardPage({ award, links }: AwardPageView): string {
  const status = statusOf(award);
  const live = status.tone !== 'revoked';
  const badge = escape(award.template.name);
  const earner = escape(award.recipientName);
  const issuer = escape(award.organization.name);
  const url = escape(award.verificationUrl);
  const title = `${award.template.name} — awarded to ${award.recipientName}`;
  const shareText = `${award.recipientName} earned “${award.template.name}” from ${award.organization.name}`;
  const description = truncate(award.template.description, 200);
  const issuerName = award.organization.url
    ? `<a href="${escape(award.organization.url)}" rel="noopener">${issuer}</a>`
    : issuer;
  const criteria = [
    award.template.criteriaNarrative ? `<p>${escape(award.template.criteriaNarrative)}</p>` : '',
    award.template.criteriaUrl ? `<p><a href="${escape(award.template.criteriaUrl)}" rel="noopener">The full criteria</a></p>` : '',
  ].join('');
  const actions = live
    ? `<section class="actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Share and download</h2>
      <div class="buttons">
        <a class="button primary" href="${escape(local(award.certificateUrl))}" data-engagement="DOWNLOAD" download>Download the certificate (PDF)</a>
        ${award.linkedInAddToProfileUrl ? `<a class="button" href="${escape(award.linkedInAddToProfileUrl)}" data-engagement="LINKEDIN_ADD" rel="noopener" target="_blank">Add to LinkedIn profile</a>` : ''}
      </div>
      <h3>Share</h3>
      <ul class="share">
        ${shareLinks(award.verificationUrl, shareText)
          .map((share) => `<li><a class="button" href="${escape(share.href)}" data-engagement="SHARE" data-network="${share.network}" rel="noopener" target="_blank">${share.label}</a></li>`)
          .join('\n        ')}
        <li><button type="button" class="button" data-copy="${url}" data-engagement="SHARE" data-network="COPY">Copy link</button></li>
      </ul>
    </section>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} | ${issuer}</title>
<meta name="description" content="${escape(description)}">
<link rel="canonical" href="${url}">
<meta property="og:type" content="website">
<meta property="og:site_name" content="${issuer}">
<meta property="og:title" content="${escape(title)}">
<meta property="og:description" content="${escape(description)}">
<meta property="og:url" content="${url}">
<meta property="og:image" content="${escape(links.badgePng)}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:alt" content="The ${badge} badge">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="${escape(title)}">
<meta name="twitter:description" content="${escape(description)}">
<meta name="twitter:image" content="${escape(links.badgePng)}">
<link rel="alternate" type="application/ld+json" href="${escape(links.credential)}" title="Open Badges 3.0 credential">
<link rel="alternate" type="application/vc+jwt" href="${escape(links.jwt)}" title="Open Badges 3.0 credential (VC-JWT)">
<link rel="stylesheet" href="/assets/award-page.css">
<script src="/assets/award-page.js" defer></script>
</head>
<body>
<main class="award" data-public-id="${escape(award.publicId)}" data-credential="${escape(local(links.credential))}">
  <header class="issuer">
    ${links.logo ? `<img class="logo" src="${escape(local(links.logo))}" alt="${issuer} logo" width="48" height="48">` : ''}
    <p>Issued by ${issuerName}</p>
  </header>
  <section class="badge" aria-labelledby="badge-title">
    <img class="badge-image" src="${escape(local(links.badgePng))}" alt="The ${badge} badge" width="220" height="220">
    <div>
      <h1 id="badge-title">${badge}</h1>
      ${LEVELS[award.template.level] ? `<p class="level">${LEVELS[award.template.level]}</p>` : ''}
      <p class="status status-${status.tone}"><strong>${status.label}</strong> <span>${status.detail}</span></p>
      <p class="earner">Awarded to <strong>${earner}</strong></p>
      <dl>
        <dt>Issued</dt><dd>${date(award.issuedAt)}</dd>
        ${award.expiresAt ? `<dt>${status.tone === 'expired' ? 'Expired' : 'Expires'}</dt><dd>${date(award.expiresAt)}</dd>` : ''}
        <dt>Certificate id</dt><dd><code>${escape(award.publicId)}</code></dd>
      </dl>
      <p class="verification" id="verification" aria-live="polite">The signed credential is checked when the page has loaded.</p>
    </div>
  </section>
  <section class="about" aria-labelledby="about-title">
    <h2 id="about-title">About this badge</h2>
    <p>${escape(award.template.description)}</p>
    ${criteria ? `<h3>Criteria</h3>${criteria}` : ''}
  </section>
  ${actions}
  <section class="credential" aria-labelledby="credential-title">
    <h2 id="credential-title">Open Badges 3.0 credential</h2>
    <p>Anyone can check this award without us: it is a credential signed by ${issuer}.</p>
    <ul class="downloads">
      <li><a href="${escape(local(links.credential))}" data-engagement="DOWNLOAD">Credential (JSON-LD)</a></li>
      <li><a href="${escape(local(links.jwt))}" data-engagement="DOWNLOAD">Credential (VC-JWT)</a></li>
      <li><a href="${escape(local(links.badgePng))}" data-engagement="DOWNLOAD" download>Badge image with the credential inside (PNG)</a></li>
    </ul>
  </section>
</main>
</body>
</html>
`;
}

/** The page for an id that names no award (or no published board), or one that was deleted. */
export function renderMissingPage(gone: boolean, notFound = 'No award has this address.'): string {
  const message = gone ? 'This award was deleted by its issuer.' : notFound;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${gone ? 'Award deleted' : 'Not found'}</title>
<link rel="stylesheet" href="/assets/award-page.css">
</head>
<body>
<main class="award"><h1>${gone ? 'Award deleted' : 'Not found'}</h1><p class="status status-revoked"><strong>${gone ? 'Deleted' : 'Not found'}</strong> <span>${message}</span></p></main>
</body>
</html>
`;
}
