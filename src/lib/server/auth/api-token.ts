import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import * as schema from '../db/schema';
import { othersCommitVersion, write, type Store, type StoreDb } from '../db/store';
import { hashToken } from './session';
import { systemClock, type Clock } from '../shared/clock';
import { isBusy } from '../db/busy';
import { AppError, conflict, notFound } from '../shared/errors';
import { auditInWrite, type Actor } from '../audit/record';
import { TOKEN_ROLES, type TokenRole } from './token-roles';

// API tokens: shown once when created, stored as their SHA-256, given a role, optionally an
// expiry, and revoked by name. Names are unique among the tokens still in use, so that
// `token revoke --name N` means one token. Through the store (db/store.ts): a token created or
// revoked on one node is what every other accepts or refuses.

export type ApiPrincipal = { tokenId: number; name: string; role: TokenRole };

export const TOKEN_NAME_MAX = 80;

export interface NewToken {
	name: string;
	role: TokenRole;
	/** Refused from this time on; null or absent: never expires. */
	expiresAt?: number | null;
}

/** Creates a token and returns it: the only time it is ever seen. */
export async function createApiToken(
	store: Store,
	input: NewToken,
	actor: Actor = {},
	clock: Clock = systemClock
): Promise<{ id: number; token: string }> {
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
	const { apiToken } = store.tables;
	// Serializable on both dialects: two nodes creating one name at once make one token.
	const id = await write(store, async (tx) => {
		const [taken] = await tx
			.select({ id: apiToken.id })
			.from(apiToken)
			.where(and(eq(apiToken.name, name), isNull(apiToken.revokedAt)));
		if (taken)
			throw conflict('token_name_taken', `A token named "${name}" is in use already`, {
				field: 'name',
				details: { name }
			});
		const [row] = await tx
			.insert(apiToken)
			.values({
				name,
				role: input.role,
				tokenHash: hashToken(token),
				createdAt: now,
				createdById: actor.userId ?? null,
				expiresAt: input.expiresAt ?? null
			})
			.returning({ id: apiToken.id });
		await auditInWrite(
			tx,
			store,
			actor,
			'token.create',
			`token:${row.id}`,
			{ name, role: input.role },
			now
		);
		return row.id;
	});
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
export function listApiTokens(store: Store): Promise<TokenListing[]> {
	const { apiToken, user } = store.tables;
	return store.db
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
		.orderBy(desc(apiToken.createdAt), desc(apiToken.id));
}

/** Revokes the token in use with this name (or id): it is refused from now on. */
export async function revokeApiToken(
	store: Store,
	which: { name: string } | { id: number },
	actor: Actor = {},
	clock: Clock = systemClock
): Promise<{ id: number; name: string }> {
	const now = clock();
	const { apiToken } = store.tables;
	const revoked = await write(store, async (tx) => {
		// The update picks the row: of two nodes revoking one token at once, one finds it in use.
		const [row] = await tx
			.update(apiToken)
			.set({ revokedAt: now })
			.where(
				and(
					'name' in which ? eq(apiToken.name, which.name.trim()) : eq(apiToken.id, which.id),
					isNull(apiToken.revokedAt)
				)
			)
			.returning({ id: apiToken.id, name: apiToken.name });
		if (!row)
			throw notFound(
				'unknown_token',
				'name' in which
					? `No token in use is named "${which.name.trim()}"`
					: 'This token does not exist or is revoked already'
			);
		await auditInWrite(
			tx,
			store,
			actor,
			'token.revoke',
			`token:${row.id}`,
			{ name: row.name },
			now
		);
		return row;
	});
	forgetVerifiedTokens();
	return revoked;
}

// The store's read, prepared once per store (on PostgreSQL a named statement, which each pool
// connection prepares on its first use): a builder built per call cost ~60 µs more CPU per read
// than the prepared one (bench/api-token-validate.ts).
const byStore = new WeakMap<StoreDb, ReturnType<typeof prepareTokenByHash>>();
const prepareTokenByHash = (store: Store) => {
	const { apiToken } = store.tables;
	return store.db
		.select()
		.from(apiToken)
		.where(eq(apiToken.tokenHash, sql.placeholder('hash')))
		.prepare('api_token_by_hash');
};
function tokenByHashOn(store: Store) {
	let query = byStore.get(store.db);
	if (!query) byStore.set(store.db, (query = prepareTokenByHash(store)));
	return query;
}

const refused = (code: string, message: string) => new AppError(401, code, message);

type TokenRow = typeof schema.apiToken.$inferSelect;
type TokenCache = {
	verified: Map<string, { row: TokenRow | undefined; until: number }>;
	/** Per connection: its data_version when last read, and when (performance.now()). */
	versions: WeakMap<object, { version: unknown; checkedAt: number }>;
};
const TOKEN_CACHE = Symbol.for('honorboard.verifiedApiTokens');

// Verified tokens, by the token itself: an integration's every call would hash it and read its
// row again. The cache holds while no other connection has written to the database (SQLite's
// data_version), read at most every DATA_VERSION_MS: per call it was 15 % of a replayed sale's
// CPU (docs/benchmarks.md, "Ingest"). A revocation by another process (the CLI, another server
// on the same database) is seen within that time, one in this process clears the cache at once.
// Reading data_version on every call would cost about what the cache saves: it is a read of the
// WAL index, like the token's row (docs/process-state.md). Expiry is checked on every call.
// On PostgreSQL nothing tells a node that another revoked a token: it reads the row every call.
const TOKEN_CACHE_MS = 60_000;
const TOKEN_CACHE_MAX = 1000;
const DATA_VERSION_MS = 100;
// Note: on globalThis, like the connection (db/index.ts): the build may hold two copies of this
// module (server.ts's fast path and SvelteKit's routes), and a revocation in one must reach both.
const shared = ((globalThis as { [TOKEN_CACHE]?: TokenCache })[TOKEN_CACHE] ??= {
	verified: new Map(),
	versions: new WeakMap()
});
const verified = shared.verified;

/** Forgets every verified token (a token was revoked). */
export function forgetVerifiedTokens(): void {
	verified.clear();
}

/**
 * The verified token's row as the cache holds it, `undefined` when it must be read. Each
 * connection's data_version is its own count (two nodes on one file count apart), so each is
 * compared with what that connection read before; a change seen by any clears the cache. A
 * connection without one (null: PostgreSQL) holds nothing.
 */
function cachedRow(
	connection: object,
	token: string,
	now: number,
	version: () => unknown
): { row: TokenRow | undefined } | undefined {
	let seen = shared.versions.get(connection);
	if (!seen) shared.versions.set(connection, (seen = { version: null, checkedAt: -Infinity }));
	if (now - seen.checkedAt >= DATA_VERSION_MS) {
		seen.checkedAt = now;
		const current = version();
		if (current !== seen.version) {
			verified.clear();
			seen.version = current;
		}
	}
	if (seen.version === null) return undefined;
	const held = verified.get(token);
	return held && held.until > now ? held : undefined;
}

function remember(connection: object, token: string, row: TokenRow | undefined, now: number) {
	if (shared.versions.get(connection)?.version == null) return;
	// Unknown tokens are not kept: a stream of made-up tokens must not fill the cache.
	if (row) {
		if (verified.size >= TOKEN_CACHE_MAX) verified.clear();
		verified.set(token, { row, until: now + TOKEN_CACHE_MS });
	} else verified.delete(token);
}

/** Refuses a revoked or expired token; true when its last use should be recorded. */
function check(row: TokenRow, now: number): boolean {
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
	return !row.lastUsedAt || now - row.lastUsedAt > 60_000;
}

/**
 * The token's principal, or null for a token that does not exist. An expired or revoked token
 * is refused with a 401 that says so, so that an integration's owner knows what to fix. Runs on
 * every API request and socket handshake: on SQLite a verified token is held in memory (above).
 */
export async function validateApiToken(
	store: Store,
	token: string,
	clock: Clock = systemClock
): Promise<ApiPrincipal | null> {
	const at = performance.now();
	let row = cachedRow(store.db, token, at, () => othersCommitVersion(store))?.row;
	if (!row) {
		[row] = await tokenByHashOn(store).execute({ hash: hashToken(token) });
		remember(store.db, token, row, at);
	}
	if (!row) return null;
	const now = clock();
	if (check(row, now)) await recordLastUse(store, row, now);
	return { tokenId: row.id, name: row.name, role: row.role };
}

/**
 * The principal of a token held in the verified cache, from memory: what `validateApiToken`
 * would return, without a promise (in Node 20 each one runs the async hooks that carry the
 * request's context: a measurable part of a replay's CPU, docs/benchmarks.md). Undefined when
 * it must be awaited: not held (always on PostgreSQL, where the cache holds nothing), or its
 * last use is to be written. A revoked or expired token held throws its 401, as there.
 */
export function heldApiToken(
	store: Store,
	token: string,
	clock: Clock = systemClock
): ApiPrincipal | undefined {
	const row = cachedRow(store.db, token, performance.now(), () => othersCommitVersion(store))?.row;
	if (!row || check(row, clock())) return undefined;
	return { tokenId: row.id, name: row.name, role: row.role };
}

/**
 * Writes the token's last use (bookkeeping only). The row held in the cache takes the time at
 * once, so that the calls until the write commits do not each queue one; a database locked by
 * another process gives it back, and a later call writes it.
 */
async function recordLastUse(store: Store, row: TokenRow, now: number): Promise<void> {
	const { apiToken } = store.tables;
	const before = row.lastUsedAt;
	row.lastUsedAt = now;
	try {
		await write(store, (tx) =>
			tx.update(apiToken).set({ lastUsedAt: now }).where(eq(apiToken.id, row.id))
		);
	} catch (error) {
		if (row.lastUsedAt === now) row.lastUsedAt = before;
		if (!isBusy(error)) throw error;
	}
}
