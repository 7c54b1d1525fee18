// The two messages: the earner's award notification, and an award shared by its earner. Every
// value is HTML-escaped in the HTML part; subjects and names reach nodemailer as plain values (it
// encodes headers), and line breaks are taken out of names as a second guard against injection.
import type { Config } from '../../config.js';
import { formatDate } from '../../shared/format.js';
import type { PublicAward } from '../awards/index.js';
import type { Address, OutgoingEmail } from '../outbox/index.js';

export interface StoredMessage {
  id: string;
  kind: 'AWARD_NOTIFICATION' | 'AWARD_SHARE';
  recipients: string[];
  subject: string | null;
  message: string | null;
  senderName: string | null;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

function details(award: PublicAward): string[] {
  return [
    `Badge: ${award.template.name}`,
    `Issued by: ${award.organization.name}`,
    `Issued on: ${formatDate(award.issuedAt)}`,
    ...(award.expiresAt ? [`Expires on: ${formatDate(award.expiresAt)}`] : []),
    `View and verify: ${award.verificationUrl}`,
    `Certificate (PDF): ${award.certificateUrl}`,
  ];
}

function html(paragraphs: string[], award: PublicAward): string {
  const body = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`).join('\n');
  return `<!doctype html>
<html><body style="font-family: sans-serif; color: #222; max-width: 600px">
${body}
<table style="border-collapse: collapse; margin: 16px 0">
<tr><td style="padding: 2px 12px 2px 0; color: #666">Badge</td><td><strong>${escapeHtml(award.template.name)}</strong></td></tr>
<tr><td style="padding: 2px 12px 2px 0; color: #666">Issued by</td><td>${escapeHtml(award.organization.name)}</td></tr>
<tr><td style="padding: 2px 12px 2px 0; color: #666">Issued on</td><td>${escapeHtml(formatDate(award.issuedAt))}</td></tr>
${award.expiresAt ? `<tr><td style="padding: 2px 12px 2px 0; color: #666">Expires on</td><td>${escapeHtml(formatDate(award.expiresAt))}</td></tr>` : ''}
</table>
<p><a href="${escapeHtml(award.verificationUrl)}">View and verify the award</a> &middot; <a href="${escapeHtml(award.certificateUrl)}">Certificate (PDF)</a></p>
</body></html>
`;
}

export function renderMessage(config: Config, stored: StoredMessage, award: PublicAward): OutgoingEmail {
  const organization = oneLine(award.organization.name);
  const from: Address = { name: organization, address: config.mailFrom };
  if (stored.kind === 'AWARD_NOTIFICATION') {
    const intro = [`Hello ${award.recipientName},`, `${award.organization.name} has awarded you the badge “${award.template.name}”.`];
    return {
      id: stored.id,
      from,
      to: stored.recipients.map((address) => ({ name: oneLine(award.recipientName), address })),
      subject: oneLine(`You have received the badge “${award.template.name}” from ${organization}`),
      text: [...intro, '', ...details(award)].join('\n'),
      html: html(intro, award),
    };
  }
  const sender = stored.senderName ? oneLine(stored.senderName) : oneLine(award.recipientName);
  const intro = [`${sender} shared the badge “${award.template.name}” with you.`, stored.message ?? ''];
  return {
    id: stored.id,
    from: { name: `${sender} via ${organization}`, address: config.mailFrom },
    to: stored.recipients,
    subject: oneLine(stored.subject ?? award.template.name),
    text: [...intro, '', ...details(award)].join('\n'),
    html: html(intro, award),
  };
}
