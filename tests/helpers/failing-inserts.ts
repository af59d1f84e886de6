// Inserts into one table made to fail on either dialect (a trigger that raises), as a full disk
// or a bug in a step's last part would: how a test checks that a step's failure leaves nothing
// of it. The trigger is `<table>_fails`; `on: false` drops it again.
import { sql } from 'drizzle-orm';
import { unportedSqlite, type Store } from '../../src/lib/server/db/store';

/** While `on`, every insert into `table` fails with `message`; `on: false` lets them through. */
export async function insertsFail(
	store: Store,
	table: string,
	message: string,
	on: boolean
): Promise<void> {
	const trigger = `${table}_fails`;
	const sqlite = unportedSqlite(store);
	if (sqlite) {
		sqlite.run(
			sql.raw(
				on
					? `create trigger ${trigger} before insert on ${table}
						begin select raise(abort, '${message}'); end`
					: `drop trigger ${trigger}`
			)
		);
		return;
	}
	await store.db.execute(
		sql.raw(
			on
				? `create function ${trigger}() returns trigger language plpgsql
					as $$ begin raise exception '${message}'; end $$;
					create trigger ${trigger} before insert on ${table}
					for each row execute function ${trigger}()`
				: `drop trigger ${trigger} on ${table}; drop function ${trigger}()`
		)
	);
}
