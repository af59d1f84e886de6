import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { mailConfig, type MailConfig } from './config';

// The two ways a mail leaves: over SMTP (nodemailer's SMTP transport), or, with no SMTP_URL, as
// an .eml file in the outbox folder: the same RFC 822 message nodemailer would have sent (its
// stream transport builds it), plain text and HTML as alternatives, which any mail client opens.

export interface OutgoingMail {
	/** The outgoing_message row: names the outbox file and the Message-ID. */
	id: number;
	to: string;
	subject: string;
	text: string;
	html: string;
}

/** Where the mail went: the outbox file, when it went to the outbox. */
export interface MailResult {
	file: string | null;
}

export type MailTransport = (mail: OutgoingMail) => Promise<MailResult>;

/** SMTP waits this long at most for each step, so that a dead server never holds a claim. */
const SMTP_TIMEOUT_MS = 15_000;

/**
 * nodemailer, loaded with the first mail: most of the server's start bundle was its modules,
 * compiled and run before the server could listen (docs/benchmarks.md, "The cold start's rise
 * since 214b2d11").
 */
const nodemailer = () => import('nodemailer').then((module) => module.default);

const smtpTransports = new Map<string, Promise<Transporter>>();

function smtp(url: string): Promise<Transporter> {
	let transporter = smtpTransports.get(url);
	if (!transporter) {
		transporter = nodemailer().then((mailer) =>
			mailer.createTransport({
				url,
				connectionTimeout: SMTP_TIMEOUT_MS,
				greetingTimeout: SMTP_TIMEOUT_MS,
				socketTimeout: SMTP_TIMEOUT_MS
			})
		);
		smtpTransports.set(url, transporter);
	}
	return transporter;
}

const outboxTransport = () =>
	nodemailer().then((mailer) => mailer.createTransport({ streamTransport: true, buffer: true }));
let toOutbox: ReturnType<typeof outboxTransport> | undefined;

function message(config: MailConfig, mail: OutgoingMail) {
	return {
		from: config.from,
		to: mail.to,
		subject: mail.subject,
		text: mail.text,
		html: mail.html,
		headers: { 'x-honorboard-message': String(mail.id) }
	};
}

/** The transport the configuration asks for (read now: see config.ts). */
export function configuredTransport(config: MailConfig = mailConfig()): MailTransport {
	const url = config.smtpUrl;
	if (url) {
		return async (mail) => {
			await (await smtp(url)).sendMail(message(config, mail));
			return { file: null };
		};
	}
	return async (mail) => {
		const built = await (await (toOutbox ??= outboxTransport())).sendMail(message(config, mail));
		// Reset and invitation links are credentials: the folder and files are the owner's only.
		mkdirSync(config.outboxDir, { recursive: true, mode: 0o700 });
		const file = join(config.outboxDir, `message-${mail.id}.eml`);
		writeFileSync(file, built.message as Buffer, { mode: 0o600 });
		chmodSync(file, 0o600);
		return { file };
	};
}
