// What the home page's season reads cost on SQLite (#20: the seasons' console ported onto the
// store): the announcement and the prizes, read on every visit to the board. Before: the
// synchronous reads (`listPrizes`, now `listPrizesBefore` in bench/lib/before-port.ts, and the announcement's `.get()` as
// seasons/announcements.ts had it); after: the awaited `currentAnnouncement(store, …)` and
// `readPrizes(store, …)`. One file, a season with three place prizes and a badge prize; variants
// interleaved, rounds × iterations; prints the median µs and CPU µs per page's reads.
// Run with `npx tsx bench/season-home.ts [--rounds 9] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../src/lib/server/db';
import { badge, season } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { currentAnnouncement } from '../src/lib/server/seasons/announcements';
import { readPrizes } from '../src/lib/server/seasons/prizes';
import { listPrizesBefore } from './lib/before-port';
import { option } from './lib/args';
import { timeInterleaved } from './lib/interleaved';

const ROUNDS = option('rounds', 9);
const N = option('n', 20_000);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-season-home-bench-'));
const db = openDatabase(join(dir, 'bench.db'));
const store = sqliteStore(db);
const theme = { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' };
const { id: seasonId } = db
	.insert(season)
	.values({ name: 'Bench', theme, startsAt: 0, endsAt: 1e13, status: 'live' })
	.returning()
	.get();
const { id: badgeId } = db
	.insert(badge)
	.values({ seasonId, name: 'Hat-trick', criterion: { kind: 'first_sale' } })
	.returning()
	.get();
db.update(season)
	.set({
		announcement: 'Double points this Friday!',
		prizes: [
			{ place: 1, title: 'Weekend away' },
			{ place: 2, title: 'Dinner' },
			{ place: 3, title: 'Cinema' },
			{ badgeId, title: 'Coffee voucher' }
		]
	})
	.where(eq(season.id, seasonId))
	.run();

await timeInterleaved(
	[
		{
			name: 'before: synchronous reads',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) {
					const text = db
						.select({ text: season.announcement })
						.from(season)
						.where(eq(season.id, seasonId))
						.get()?.text;
					if (!text || listPrizesBefore(db, seasonId).length !== 4) throw new Error('wrong reads');
				}
			}
		},
		{
			name: 'after: store (awaited)',
			ops: N,
			run: async () => {
				for (let i = 0; i < N; i++) {
					const text = await currentAnnouncement(store, seasonId);
					if (!text || (await readPrizes(store, seasonId)).length !== 4)
						throw new Error('wrong reads');
				}
			}
		}
	],
	ROUNDS
);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
