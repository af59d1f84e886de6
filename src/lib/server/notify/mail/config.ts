import { join, resolve } from 'node:path';
import { DEFAULT_DATABASE_URL, databaseFolder } from '../../db';
import { withoutPassword } from '../../shared/url';

// How mail leaves, read from the environment on each use (a test or an operator may change it
// between runs; reading a few variables costs nothing next to sending a mail):
// - SMTP_URL: the SMTP server (smtp://user:pass@host:587, smtps://… for TLS from the start).
//   Unset, every mail is written as an .eml file into the outbox folder instead.
// - MAIL_FROM: the sender ("Honorboard <noreply@example.com>").
// - MAIL_OUTBOX_DIR: the outbox folder (default: `outbox` beside the SQLite file; on PostgreSQL,
//   which has no file to sit beside, `outbox` in the working directory).
// - ORIGIN: the public URL the links in mails point to (adapter-node reads it too).

export const DEFAULT_MAIL_FROM = 'Honorboard <noreply@localhost>';

export interface MailConfig {
	/** null: no SMTP server, mail goes to the outbox folder. */
	smtpUrl: string | null;
	from: string;
	outboxDir: string;
}

export function mailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
	const smtpUrl = env.SMTP_URL?.trim() || null;
	return {
		smtpUrl,
		from: env.MAIL_FROM?.trim() || DEFAULT_MAIL_FROM,
		outboxDir: resolve(env.MAIL_OUTBOX_DIR?.trim() || defaultOutbox(env))
	};
}

function defaultOutbox(env: NodeJS.ProcessEnv): string {
	// A PostgreSQL URL read as a path made folders named `postgres:/user@host:port/outbox`.
	const folder = databaseFolder(env.DATABASE_URL || DEFAULT_DATABASE_URL);
	return folder === null ? 'outbox' : join(folder, 'outbox');
}

/** Whether mail really leaves the machine: what offers self-service password resets. */
export function mailConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
	return !!env.SMTP_URL?.trim();
}

/**
 * The public address links in mails start with: ORIGIN (which production sets for adapter-node),
 * else the local server on PORT. Note: a mail is read away from the request that caused it, so
 * the request's own origin is no guide.
 */
export function appOrigin(env: NodeJS.ProcessEnv = process.env): string {
	const origin = env.ORIGIN?.trim();
	if (origin) return origin.replace(/\/+$/, '');
	return `http://localhost:${env.PORT || 3000}`;
}

/** The SMTP URL without its password, for the admins' pages and the logs. */
export function safeSmtpUrl(url: string): string {
	return withoutPassword(url, 'smtp://…');
}
