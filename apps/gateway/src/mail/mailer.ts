import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';

export interface MailConfig {
  SMTP_URL?: string;
  MAIL_FROM: string;
  DATA_DIR: string;
}

/**
 * Sends e-mail through SMTP when SMTP_URL is set; otherwise writes each message to a file under
 * DATA_DIR/mail and logs where, so password reset works on a laptop with no mail server.
 */
@Injectable()
export class Mailer {
  private readonly transport: Transporter | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: MailConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.transport = config.SMTP_URL ? createTransport(config.SMTP_URL) : undefined;
  }

  async send(to: string, subject: string, text: string): Promise<void> {
    if (this.transport) {
      await this.transport.sendMail({ from: this.config.MAIL_FROM, to, subject, text });
      this.logger.info({ to: redactAddress(to), subject }, 'e-mail sent');
      return;
    }
    const dir = resolve(this.config.DATA_DIR, 'mail');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
    // Written aside, then renamed: a reader of the folder never sees half a message.
    await writeFile(`${file}.part`, `From: ${this.config.MAIL_FROM}\nTo: ${to}\nSubject: ${subject}\n\n${text}\n`, { mode: 0o600 });
    await rename(`${file}.part`, file);
    this.logger.info({ to: redactAddress(to), subject, file }, 'e-mail written to a file (SMTP_URL is not set)');
  }
}

/** a***@example.com: enough to tell messages apart in logs, not a list of addresses. */
function redactAddress(address: string): string {
  const at = address.indexOf('@');
  return at > 0 ? `${address[0]}***${address.slice(at)}` : '***';
}
