import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { prepared } from '../db/prepared';
import { dataVersion } from '../db/data-version';
import { apiToken, user } from '../db/schema';
import { hashToken } from './session';
import { systemClock, type Clock } from '../shared/clock';
import { unlessBusy } from '../db/busy';
import { AppError, conflict, notFound } from '../shared/errors';
import { audit, type Actor } from '../audit/record';
import { TOKEN_ROLES, type TokenRole } from './token-roles';

// API tokens: shown once when created, stored as their SHA-256, given a role, optionally an
// expiry, and revoked by name. Names are unique among the tokens still in use, so that
// `token revoke --name N` means one token.

export type ApiPrincipal = { tokenId: number; name: string; role: TokenRole };

export const TOKEN_NAME_MAX = 80;

export interface NewToken {
	name: string;
	role: TokenRole;
	/** Refused from this time on; null or absent: never expires. */
	expiresAt?: number | null;
}

/** Creates a token and returns it: the only time it is ever seen. */
export function createApiToken(
	db: Db,
	input: NewToken,
	actor: Actor = {},
	clock: Clock = systemClock
): { id: number; token: string } {
	const name = input.name.trim();
	if (!name || name.length > TOKEN_NAME_MAX)
		throw new AppError(
			400,
			'invalid_name',
			`A token needs a name of 1 to ${TOKEN_NAME_MAX} characters`,
			{
				field: 'name'
			}
		);
	if (!TOKEN_ROLES.includes(input.role))
		throw new AppError(400, 'invalid_role', `The role must be one of: ${TOKEN_ROLES.join(', ')}`, {
			field: 'role'
		});
	const now = clock();
	if (input.expiresAt != null && input.expiresAt <= now)
		throw new AppError(400, 'invalid_expiry', 'The expiry must be in the future', {
			field: 'expiresAt'
		});
	const bytes = new Uint8Array(24);
	crypto.getRandomValues(bytes);
	const token = `hb_${encodeBase32LowerCaseNoPadding(bytes)}`;
	const id = db.transaction(
		(tx) => {
			const taken = tx
				.select({ id: apiToken.id })
				.from(apiToken)
				.where(and(eq(apiToken.name, name), isNull(apiToken.revokedAt)))
				.get();
			if (taken)
				throw conflict('token_name_taken', `A token named "${name}" is in use already`, {
					field: 'name',
					details: { name }
				});
			const row = tx
				.insert(apiToken)
				.values({
					name,
					role: input.role,
					tokenHash: hashToken(token),
					createdAt: now,
					createdById: actor.userId ?? null,
					expiresAt: input.expiresAt ?? null
				})
				.returning({ id: apiToken.id })
				.get();
			audit(tx, actor, 'token.create', `token:${row.id}`, { name, role: input.role }, now);
			return row.id;
		},
		{ behavior: 'immediate' }
	);
	return { id, token };
}

export interface TokenListing {
	id: number;
	name: string;
	role: TokenRole;
	createdAt: number;
	createdBy: string | null;
	expiresAt: number | null;
	lastUsedAt: number | null;
	revokedAt: number | null;
}

/** Every token, newest first (revoked ones too, so that the list shows what happened). */
export function listApiTokens(db: Db): TokenListing[] {
	return db
		.select({
			id: apiToken.id,
			name: apiToken.name,
			role: apiToken.role,
			createdAt: apiToken.createdAt,
			createdBy: user.displayName,
			expiresAt: apiToken.expiresAt,
			lastUsedAt: apiToken.lastUsedAt,
			revokedAt: apiToken.revokedAt
		})
		.from(apiToken)
		.leftJoin(user, eq(user.id, apiToken.createdById))
		.orderBy(desc(apiToken.createdAt), desc(apiToken.id))
		.all();
}

/** Revokes the token in use with this name (or id): it is refused from now on. */
export function revokeApiToken(
	db: Db,
	which: { name: string } | { id: number },
	actor: Actor = {},
	clock: Clock = systemClock
): { id: number; name: string } {
	const now = clock();
	const revoked = db.transaction(
		(tx) => {
			const row = tx
				.select({ id: apiToken.id, name: apiToken.name })
				.from(apiToken)
				.where(
					and(
						'name' in which ? eq(apiToken.name, which.name.trim()) : eq(apiToken.id, which.id),
						isNull(apiToken.revokedAt)
					)
				)
				.get();
			if (!row)
				throw notFound(
					'unknown_token',
					'name' in which
						? `No token in use is named "${which.name.trim()}"`
						: 'This token does not exist or is revoked already'
				);
			tx.update(apiToken).set({ revokedAt: now }).where(eq(apiToken.id, row.id)).run();
			audit(tx, actor, 'token.revoke', `token:${row.id}`, { name: row.name }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
	forgetVerifiedTokens();
	return revoked;
}

// Every API call: prepared once per connection.
const tokenByHash = (db: Queryable) =>
	db
		.select()
		.from(apiToken)
		.where(eq(apiToken.tokenHash, sql.placeholder('hash')))
		.prepare();

const refused = (code: string, message: string) => new AppError(401, code, message);

type TokenRow = typeof apiToken.$inferSelect;
type TokenCache = {
	verified: Map<string, { row: TokenRow | undefined; until: number }>;
	dataVersion: unknown;
	/** When data_version was last read (performance.now()). */
	checkedAt: number;
};
const TOKEN_CACHE = Symbol.for('honorboard.verifiedApiTokens');

// Verified tokens, by the token itself: an integration's every call would hash it and read its
// row again. The cache holds while no other connection has written to the database (SQLite's
// data_version), read at most every DATA_VERSION_MS: per call it was 15 % of a replayed sale's
// CPU (docs/benchmarks.md, "Ingest"). A revocation by another process (the CLI, another server
// on the same database) is seen within that time, one in this process clears the cache at once.
// Reading data_version on every call would cost about what the cache saves: it is a read of the
// WAL index, like the token's row (docs/process-state.md). Expiry is checked on every call.
const TOKEN_CACHE_MS = 60_000;
const TOKEN_CACHE_MAX = 1000;
const DATA_VERSION_MS = 100;
// Note: on globalThis, like the connection (db/index.ts): the build may hold two copies of this
// module (server.ts's fast path and SvelteKit's routes), and a revocation in one must reach both.
const shared = ((globalThis as { [TOKEN_CACHE]?: TokenCache })[TOKEN_CACHE] ??= {
	verified: new Map(),
	dataVersion: null,
	checkedAt: -Infinity
});
const verified = shared.verified;

/** Forgets every verified token (a token was revoked). */
export function forgetVerifiedTokens(): void {
	verified.clear();
}

function tokenRow(db: Db, token: string): TokenRow | undefined {
	const now = performance.now();
	if (now - shared.checkedAt >= DATA_VERSION_MS) {
		shared.checkedAt = now;
		const version = dataVersion(db);
		if (version !== shared.dataVersion) {
			verified.clear();
			shared.dataVersion = version;
		}
	}
	const held = verified.get(token);
	if (held && held.until > now) return held.row;
	const row = prepared(db, tokenByHash).get({ hash: hashToken(token) });
	// Unknown tokens are not kept: a stream of made-up tokens must not fill the cache.
	if (row) {
		if (verified.size >= TOKEN_CACHE_MAX) verified.clear();
		verified.set(token, { row, until: now + TOKEN_CACHE_MS });
	} else verified.delete(token);
	return row;
}

/**
 * The token's principal, or null for a token that does not exist. An expired or revoked token
 * is refused with a 401 that says so, so that an integration's owner knows what to fix.
 */
export function validateApiToken(
	db: Db,
	token: string,
	clock: Clock = systemClock
): ApiPrincipal | null {
	const row = tokenRow(db, token);
	if (!row) return null;
	const now = clock();
	if (row.revokedAt !== null)
		throw refused(
			'token_revoked',
			`This API token ("${row.name}") was revoked: ask an admin for a new one`
		);
	if (row.expiresAt !== null && now >= row.expiresAt)
		throw refused(
			'token_expired',
			`This API token ("${row.name}") expired on ${new Date(row.expiresAt).toISOString()}: ask an admin for a new one`
		);
	// Recorded at minute precision so that a busy integration does not write on every call.
	if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) {
		// Bookkeeping only: a database locked by another process leaves it for a later call.
		if (
			unlessBusy(() =>
				db.update(apiToken).set({ lastUsedAt: now }).where(eq(apiToken.id, row.id)).run()
			)
		)
			row.lastUsedAt = now;
	}
	return { tokenId: row.id, name: row.name, role: row.role };
}
