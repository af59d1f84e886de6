// What the chat's domain-event handler costs a sale on SQLite (#20: the handler runs inside the
// sale's store write: notify/chat/queue.ts onChatDomainEventInWrite; its synchronous twin went
// on 2026-12-07). This checkout's handler against an older checkout's `onChatDomainEventInWrite`
// (`--old <worktree>`, e.g. `git worktree add /work/wt-old <commit>`), each on its own store of
// one file with two channels that want big sales: a sale below the threshold (the common case:
// the cached list and a filter) and a big one (both channels' messages queued), one write per
// sale. Variants interleaved, rounds × iterations; prints the median µs and CPU µs per sale.
// Run with `npx tsx bench/chat-domain-event.ts [--old <worktree>] [--rounds 7] [--n 5000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { chatChannel, season } from '../src/lib/server/db/schema';
import { sqliteStore, write, type Store, type StoreDb } from '../src/lib/server/db/store';
import { onChatDomainEventInWrite } from '../src/lib/server/notify/chat/queue';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 5_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-chat-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const theme = { name: 'Bench', primary: '#000000', accent: '#ffffff', emoji: '🏆' };
const { id: seasonId } = db
	.insert(season)
	.values({ name: 'Bench season', theme: theme as never, startsAt: 0, endsAt: 1, status: 'live' })
	.returning()
	.get();
for (const platform of ['slack', 'teams'] as const)
	db.insert(chatChannel)
		.values({
			platform,
			name: platform,
			url: `http://127.0.0.1:1/${platform}`,
			events: ['big_sale'],
			bigSalePoints: 100,
			active: true
		})
		.run();

type Handler = (
	tx: StoreDb,
	store: Store,
	event: 'sale.confirmed',
	data: ReturnType<typeof sale>,
	now: number
) => Promise<void>;
type Writes = { store: Store; write: typeof write };
let saleId = 0;
const sale = (points: number) => ({
	seasonId,
	sale: { id: ++saleId, points, seller: { name: 'Sam Seller' } }
});

function variantsOf(label: string, handler: Handler, on: Writes): Variant[] {
	return [10, 500].map((points) => ({
		name: `${label}, ${points < 100 ? 'small sale' : 'big sale (2 queued)'}`,
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				await on.write(on.store, (tx) =>
					handler(tx, on.store, 'sale.confirmed', sale(points), Date.now())
				);
		}
	}));
}

const variants = variantsOf('now', onChatDomainEventInWrite as Handler, {
	store: sqliteStore(db),
	write
});
if (OLD) {
	// The older checkout's own modules, on its own store of the same file.
	const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
	const old = await load<{ onChatDomainEventInWrite: Handler }>('notify/chat/queue.ts');
	const oldDb = (
		await load<{ openDatabase: (file: string) => unknown }>('db/index.ts')
	).openDatabase(file);
	const oldStore = await load<{ sqliteStore: (db: unknown) => Store; write: typeof write }>(
		'db/store.ts'
	);
	const before = variantsOf('before', old.onChatDomainEventInWrite, {
		store: oldStore.sqliteStore(oldDb),
		write: oldStore.write
	});
	variants.splice(0, 0, before[0]);
	variants.splice(2, 0, before[1]);
}

console.log(`${ROUNDS - 1} counted rounds; ${N} sales per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
