// A local SMTP server standing in for the real one (the `smtp-server` package): it keeps every
// mail it accepts, raw, and can refuse the next ones with a temporary error, as a busy server
// would. Plus a small reader of the MIME parts nodemailer writes (quoted-printable or base64).
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
	to: string[];
	raw: string;
}

export interface MailCatcher {
	mails: CaughtMail[];
	/** Answers the next `n` mails with 451 (try again later). */
	refuseNext(n: number): void;
	/** Resolves with the first mail to `to` (waits up to `timeoutMs`). */
	waitFor(to: string, timeoutMs?: number): Promise<CaughtMail>;
	close(): Promise<void>;
}

export async function startMailCatcher(port: number): Promise<MailCatcher> {
	const mails: CaughtMail[] = [];
	let refusals = 0;
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				if (refusals > 0) {
					refusals -= 1;
					const busy = Object.assign(new Error('Mailbox busy, try again later'), {
						responseCode: 451
					});
					return callback(busy);
				}
				mails.push({
					to: session.envelope.rcptTo.map((r) => r.address),
					raw: Buffer.concat(chunks).toString('utf8')
				});
				callback();
			});
		}
	});
	// A connection the app drops (a server stopped at the end of a test, under load) is
	// reported as the SMTP server's 'error'; unheard, it would end the test run. The tests judge
	// by the mails caught, not by the connections.
	server.on('error', () => {});
	await new Promise<void>((ready) => server.listen(port, '127.0.0.1', ready));
	return {
		mails,
		refuseNext: (n) => (refusals = n),
		async waitFor(to, timeoutMs = 10_000) {
			const until = Date.now() + timeoutMs;
			for (;;) {
				const found = mails.find((mail) => mail.to.includes(to));
				if (found) return found;
				if (Date.now() > until) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
				await new Promise((r) => setTimeout(r, 100));
			}
		},
		close: () => new Promise<void>((done) => server.close(() => done()))
	};
}

function decodeQuotedPrintable(text: string): string {
	const bytes: number[] = [];
	const soft = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < soft.length; i++) {
		if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
			bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(soft[i], 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8');
}

/** The headers and decoded body of each part of a multipart/alternative mail, by content type. */
export function mailParts(raw: string): Record<string, string> {
	const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
	if (!boundary) throw new Error('not a multipart mail');
	const parts: Record<string, string> = {};
	for (const chunk of raw.split(`--${boundary}`).slice(1, -1)) {
		const [head, ...rest] = chunk.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
		const body = rest.join('\n\n');
		const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1].trim() ?? '';
		const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1].toLowerCase();
		parts[type] =
			encoding === 'quoted-printable'
				? decodeQuotedPrintable(body)
				: encoding === 'base64'
					? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
					: body;
	}
	return parts;
}
