// How a rendered message leaves the process: through SMTP (SMTP_URL), or, with no SMTP server
// configured, as an .eml file in EMAIL_OUTBOX_DIR that a local user can open in any mail client.
// Built by createApp from the config; nothing here lives at module scope.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type TransportOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Config } from '../../config.js';

export interface Address {
  name: string;
  address: string;
}

export interface OutgoingEmail {
  /** The outbox row's id: the Message-ID and the .eml file name derive from it, so a retry is the same message. */
  id: string;
  from: Address;
  to: Array<Address | string>;
  replyTo?: Address | undefined;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves once the server (or the disk) has the message; rejects with the reason otherwise. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

/** Errors a retry cannot fix: the SMTP server refused for good (5xx). */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function messageId(config: Config, id: string): string {
  return `<${id}@${config.mailFrom.split('@')[1] ?? 'localhost'}>`;
}

function options(config: Config, email: OutgoingEmail) {
  return {
    messageId: messageId(config, email.id),
    from: email.from,
    to: email.to,
    ...(email.replyTo ? { replyTo: email.replyTo } : {}),
    subject: email.subject,
    text: email.text,
    html: email.html,
  };
}

export function createMailer(config: Config): Mailer {
  if (config.smtpUrl) {
    // Timeouts well below the outbox claim, so a hung server cannot outlive the claim.
    const transport = nodemailer.createTransport(config.smtpUrl, {
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 30_000,
    } as TransportOptions);
    return {
      async send(email) {
        const info = await transport.sendMail(options(config, email));
        return { messageId: info.messageId };
      },
      close: () => transport.close(),
    };
  }
  const dir = path.resolve(config.outboxDir);
  return {
    async send(email) {
      const message = options(config, email);
      const raw = await new MailComposer(message).compile().build();
      await mkdir(dir, { recursive: true });
      // Written then renamed, so a reader never sees half a message.
      const file = path.join(dir, `${email.id}.eml`);
      await writeFile(`${file}.tmp`, raw);
      await rename(`${file}.tmp`, file);
      return { messageId: message.messageId };
    },
    close: () => undefined,
  };
}
