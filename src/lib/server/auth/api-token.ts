import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { apiToken } from '../db/schema';
import type { Role } from '../../contest/types';
import { hashToken } from './session';
import { systemClock, type Clock } from '../shared/clock';
import { unlessBusy } from '../db/busy';

export type ApiPrincipal = { tokenId: number; name: string; role: Role };

export function createApiToken(db: Db, name: string, role: Role = 'admin'): string {
	const bytes = new Uint8Array(24);
	crypto.getRandomValues(bytes);
	const token = `hb_${encodeBase32LowerCaseNoPadding(bytes)}`;
	db.insert(apiToken)
		.values({ name, role, tokenHash: hashToken(token) })
		.run();
	return token;
}

export function validateApiToken(
	db: Db,
	token: string,
	clock: Clock = systemClock
): ApiPrincipal | null {
	const row = db
		.select()
		.from(apiToken)
		.where(and(eq(apiToken.tokenHash, hashToken(token)), isNull(apiToken.revokedAt)))
		.get();
	if (!row) return null;
	const now = clock();
	// Recorded at minute precision so that a busy integration does not write on every call.
	if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) {
		// Bookkeeping only: a database locked by another process leaves it for a later call.
		unlessBusy(() =>
			db.update(apiToken).set({ lastUsedAt: now }).where(eq(apiToken.id, row.id)).run()
		);
	}
	return { tokenId: row.id, name: row.name, role: row.role };
}
