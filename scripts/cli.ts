// Administration without the web UI: `npm run cli -- <command>`.
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, getDb } from '../src/lib/server/db';
import { backupDatabase } from '../src/lib/server/db/backup';
import { appOnPostgres, closeAppStore, getStore, openAppStore } from '../src/lib/server/db/store';
import { createUser, readUserByEmail } from '../src/lib/server/people/users';
import { createApiToken, listApiTokens, revokeApiToken } from '../src/lib/server/auth/api-token';
import { TOKEN_ROLES, type TokenRole } from '../src/lib/server/auth/token-roles';
import { seedDemo, DEMO_PASSWORD, demoOptions } from '../src/lib/server/db/seed-demo';
import { ROLES, type Role } from '../src/lib/contest/types';
import { createDisplay, revokeDisplay } from '../src/lib/server/displays/tokens';
import { AppError } from '../src/lib/server/shared/errors';
import { WEBHOOK_USAGE, webhookCommand } from './cli-webhook';
import { MIGRATE_TO_USAGE, migrateToCommand } from './cli-migrate-to';
import { CopyError } from '../src/lib/server/db/migrate-to/copy';
import { SYSTEM } from '../src/lib/server/audit/record';
import { readOrganisation, setOrganisation } from '../src/lib/server/organisation/settings';
import { CURRENCIES, isCurrency, isLocale, LOCALE_NAMES, LOCALES } from '../src/lib/i18n/locales';

const USAGE = `Usage: npm run cli -- <command>

  migrate                                    create or update the database schema
  seed-demo [--locale L] [--currency C]      add the demo season, users and sales (idempotent), its
                                             texts in language L (default: the organisation's, en),
                                             which becomes the organisation's, counting in C
                                             (default: L's market's: pl PLN, sv SEK, ru RUB, else EUR)
  user create --email E --name N --role R --password P
                                             R: ${ROLES.join(' | ')}
  token create --name N [--role ${TOKEN_ROLES.join('|')}] [--expires DATE]
                                             prints the new API token alone on its last line; the
                                             role defaults to integration (post sales, activities
                                             and imports, read seasons); DATE: 2027-01-31 (00:00 UTC)
                                             or an ISO date-time with a zone
  token list                                 every token: name, role, created, expiry, last use
  token revoke --name N                      the token with this name is refused from now on
  display create --season ID --name N        a TV display for a season: prints its token alone on its
                                             last line; open /tv/<token> on the TV
  display revoke --token T                   the TV with this token stops at once
  backup --to FILE [--force]                 an online, consistent copy of the database (safe while
                                             the server runs); refuses an existing FILE unless --force
${MIGRATE_TO_USAGE}
${WEBHOOK_USAGE}
  org show                                   the organisation's default language and currency
  org set [--locale L] [--currency C]        change them (audited); L: ${LOCALES.join(' | ')}
                                             C: ${CURRENCIES.join(' | ')}

The database is DATABASE_URL (default data/honorboard.db).`;

class UsageError extends Error {}

function option(values: Record<string, string | boolean | undefined>, name: string): string {
	const value = values[name];
	if (typeof value !== 'string' || value.trim() === '')
		throw new UsageError(`--${name} is required`);
	return value.trim();
}

function role(value: string): Role {
	if (!ROLES.includes(value as Role))
		throw new UsageError(`--role must be one of: ${ROLES.join(', ')}`);
	return value as Role;
}

const iso = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** --expires: a date (its start, in UTC) or an ISO date-time with a zone, in the future. */
function expiry(value: string): number {
	const text = value.trim();
	const at = /^\d{4}-\d{2}-\d{2}$/.test(text)
		? Date.parse(`${text}T00:00:00Z`)
		: /(Z|[+-]\d{2}:?\d{2})$/i.test(text)
			? Date.parse(text)
			: NaN;
	if (Number.isNaN(at))
		throw new UsageError('--expires must be a date (2027-01-31) or an ISO date-time with a zone');
	if (at <= Date.now()) throw new UsageError('--expires must be in the future');
	return at;
}

/** The command being run, for naming it when it cannot run on PostgreSQL yet. */
let running = '';

async function main(argv: string[]): Promise<void> {
	const { positionals, values } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			email: { type: 'string' },
			name: { type: 'string' },
			role: { type: 'string' },
			password: { type: 'string' },
			season: { type: 'string' },
			token: { type: 'string' },
			expires: { type: 'string' },
			to: { type: 'string' },
			force: { type: 'boolean' },
			url: { type: 'string' },
			events: { type: 'string' },
			id: { type: 'string' },
			locale: { type: 'string' },
			currency: { type: 'string' },
			help: { type: 'boolean', short: 'h' }
		}
	});
	const command = positionals.join(' ');
	running = command;
	if (values.help || command === '' || command === 'help') {
		console.log(USAGE);
		return;
	}
	// On PostgreSQL the commands on the store need its pool, opened (and migrated) first; backup
	// and migrate-to read SQLite files of their own.
	if (appOnPostgres() && command !== 'backup' && command !== 'migrate-to') await openAppStore();
	if (await webhookCommand(command, values)) return;
	switch (command) {
		case 'migrate': {
			if (!appOnPostgres()) getDb();
			console.log('Database is up to date.');
			return;
		}
		case 'seed-demo': {
			const { seasonId, logins, locale, currency } = await seedDemo(
				getStore(),
				Date.now(),
				demoOptions(values)
			);
			console.log(
				`Demo season ${seasonId} is ready (${locale}, ${currency}). Sign in with any of these (password: ${DEMO_PASSWORD}):`
			);
			for (const login of logins.slice(0, 3))
				console.log(`  ${login.role.padEnd(11)} ${login.email}`);
			console.log(`  participant rep1@demo.test … rep${logins.length - 3}@demo.test`);
			return;
		}
		case 'user create': {
			const email = option(values, 'email');
			const password = option(values, 'password');
			if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
				throw new UsageError('--email is not an email address');
			if (password.length < 8) throw new UsageError('--password needs at least 8 characters');
			const store = getStore();
			if (await readUserByEmail(store, email))
				throw new UsageError(`A user with email ${email} exists already`);
			const created = await createUser(store, {
				email,
				displayName: option(values, 'name'),
				role: role(values.role ?? 'participant'),
				password
			});
			console.log(`Created ${created.role} ${created.email} (id ${created.id}).`);
			return;
		}
		case 'token create': {
			const name = option(values, 'name');
			const tokenRole = values.role ?? 'integration';
			if (!TOKEN_ROLES.includes(tokenRole as TokenRole))
				throw new UsageError(`--role must be one of: ${TOKEN_ROLES.join(', ')}`);
			const expiresAt = values.expires === undefined ? null : expiry(values.expires);
			const { token } = await createApiToken(getStore(), {
				name,
				role: tokenRole as TokenRole,
				expiresAt
			});
			const until = expiresAt === null ? 'never expires' : `expires ${iso(expiresAt)}`;
			console.log(`API token "${name}" (${tokenRole}, ${until}) created. It is shown only once:`);
			console.log(token);
			return;
		}
		case 'token list': {
			const tokens = await listApiTokens(getStore());
			if (tokens.length === 0) {
				console.log('No API tokens yet.');
				return;
			}
			const now = Date.now();
			const rows = tokens.map((t) => [
				t.name,
				t.role,
				t.revokedAt !== null
					? `revoked ${iso(t.revokedAt)}`
					: t.expiresAt !== null && t.expiresAt <= now
						? 'expired'
						: 'active',
				iso(t.createdAt),
				t.createdBy ?? 'cli',
				t.expiresAt === null ? 'never' : iso(t.expiresAt),
				t.lastUsedAt === null ? 'never' : iso(t.lastUsedAt)
			]);
			const header = ['NAME', 'ROLE', 'STATUS', 'CREATED', 'BY', 'EXPIRES', 'LAST USED'];
			const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
			for (const row of [header, ...rows])
				console.log(
					row
						.map((cell, i) => cell.padEnd(widths[i]))
						.join('  ')
						.trimEnd()
				);
			return;
		}
		case 'token revoke': {
			const revoked = await revokeApiToken(getStore(), { name: option(values, 'name') });
			console.log(`API token "${revoked.name}" revoked: it is refused from now on.`);
			return;
		}
		case 'display create': {
			const seasonId = Number(option(values, 'season'));
			if (!Number.isSafeInteger(seasonId) || seasonId <= 0)
				throw new UsageError('--season must be a season id');
			const name = option(values, 'name');
			const { token } = await createDisplay(getStore(), seasonId, name);
			console.log(
				`TV display "${name}" created for season ${seasonId}. Open /tv/<token> on the screen:`
			);
			console.log(token);
			return;
		}
		case 'display revoke': {
			await revokeDisplay(getStore(), option(values, 'token'));
			console.log('Display revoked: the screen stops showing the board.');
			return;
		}
		case 'backup': {
			const { path, bytes } = await backupDatabase(
				process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
				option(values, 'to'),
				{ force: values.force === true }
			);
			const size =
				bytes >= 1024 * 1024
					? `${(bytes / 1024 / 1024).toFixed(1)} MB`
					: `${Math.ceil(bytes / 1024)} KB`;
			console.log(`Backed up to ${path} (${size}, ${bytes} bytes).`);
			return;
		}
		case 'migrate-to':
			await migrateToCommand(values);
			return;
		case 'org show': {
			const store = getStore();
			const { defaultLocale, currency } = await readOrganisation(store.db, store);
			console.log(`Default language: ${defaultLocale} (${LOCALE_NAMES[defaultLocale]})`);
			console.log(`Currency: ${currency}`);
			return;
		}
		case 'org set': {
			if (values.locale === undefined && values.currency === undefined)
				throw new UsageError('org set needs --locale, --currency or both');
			const locale = values.locale?.trim().toLowerCase();
			const currency = values.currency?.trim().toUpperCase();
			if (locale !== undefined && !isLocale(locale))
				throw new UsageError(`--locale must be one of: ${LOCALES.join(', ')}`);
			if (currency !== undefined && !isCurrency(currency))
				throw new UsageError(`--currency must be one of: ${CURRENCIES.join(', ')}`);
			const store = getStore();
			const current = await readOrganisation(store.db, store);
			const next = {
				defaultLocale: locale ?? current.defaultLocale,
				currency: currency ?? current.currency
			};
			await setOrganisation(store, next, SYSTEM);
			console.log(
				`Organisation: default language ${next.defaultLocale} (${LOCALE_NAMES[next.defaultLocale]}), currency ${next.currency}.`
			);
			return;
		}
		default:
			throw new UsageError(`Unknown command: ${command}`);
	}
}

main(process.argv.slice(2))
	.then(() => closeAppStore())
	.catch(async (error) => {
		await closeAppStore().catch(() => {});
		if (error instanceof AppError && error.code === 'not_on_postgres') {
			// Not a usage mistake: the command still needs the SQLite database.
			console.error(`Error: ${running}: ${error.message}`);
		} else if (error instanceof CopyError) {
			console.error(`Error: ${error.message}\nNothing was copied: the target has no rows.`);
		} else if (
			error instanceof UsageError ||
			error instanceof AppError ||
			(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
		) {
			console.error(`Error: ${(error as Error).message}\n\n${USAGE}`);
		} else console.error(error);
		process.exit(1);
	});
