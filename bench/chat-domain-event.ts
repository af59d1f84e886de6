// What the chat's domain-event handler costs a sale on SQLite (#20: the chat ported onto the
// store; the handler stays synchronous, inside the sale's transaction: notify/chat/queue.ts
// onChatDomainEvent). This checkout's handler against an older checkout's (`--old <worktree>`,
// e.g. `git worktree add /work/wt-old <commit>`), each on its own connection to one file with
// two channels that want big sales: a sale below the threshold (the common case: the cached list
// and a filter) and a big one (both channels' messages queued). Variants interleaved,
// rounds × iterations; prints the median µs and CPU µs per sale.
// Run with `npx tsx bench/chat-domain-event.ts [--old <worktree>] [--rounds 7] [--n 5000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { chatChannel, season } from '../src/lib/server/db/schema';
import { onChatDomainEvent } from '../src/lib/server/notify/chat/queue';
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

type Handler = (tx: unknown, event: string, data: unknown, now: number) => void;
type Transactional = { transaction: (work: (tx: unknown) => void) => void };
let saleId = 0;
const sale = (points: number) => ({
	seasonId,
	sale: { id: ++saleId, points, seller: { name: 'Sam Seller' } }
});

function variantsOf(label: string, handler: Handler, conn: Transactional): Variant[] {
	return [10, 500].map((points) => ({
		name: `${label}, ${points < 100 ? 'small sale' : 'big sale (2 queued)'}`,
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				conn.transaction((tx) => handler(tx, 'sale.confirmed', sale(points), Date.now()));
		}
	}));
}

const variants = variantsOf('now', onChatDomainEvent as Handler, db as unknown as Transactional);
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	const old = (await import(join(OLD, 'src/lib/server/notify/chat/queue.ts'))) as {
		onChatDomainEvent: Handler;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => Transactional;
		}
	).openDatabase(file);
	const before = variantsOf('before', old.onChatDomainEvent, oldDb);
	variants.splice(0, 0, before[0]);
	variants.splice(2, 0, before[1]);
}

console.log(`${ROUNDS - 1} counted rounds; ${N} sales per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
