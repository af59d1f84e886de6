// The organisation's settings on the store (#20, db/store.ts): what `/manage/settings`, the
// displays' console and `org show`/`org set` read and write, with the same assertions on a temp
// SQLite file and a throwaway PostgreSQL. "Two nodes" are two stores on one database.
import { describe, expect, it } from 'vitest';
import { readOrganisation, setOrganisation } from '../../src/lib/server/organisation/settings';
import type { Store } from '../../src/lib/server/db/store';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { auditsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('organisation-store');
const ADMIN = { userId: null };
const settingsOn = (store: Store) => readOrganisation(store.db, store);

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('reads the defaults before any change, then what one node saved on the other, audited once', async () => {
		expect(await settingsOn(node(1))).toEqual({ defaultLocale: 'en', currency: 'EUR' });
		await setOrganisation(node(0), { defaultLocale: 'pl', currency: 'PLN' }, ADMIN, 5_000);
		expect(await settingsOn(node(1))).toEqual({ defaultLocale: 'pl', currency: 'PLN' });
		expect(await auditsOf(node(1), 'organisation')).toEqual([
			{
				action: 'organisation.update',
				data: {
					before: { defaultLocale: 'en', currency: 'EUR' },
					after: { defaultLocale: 'pl', currency: 'PLN' }
				}
			}
		]);
	});

	it('two nodes saving at once take turns: the later one audits what the earlier one left', async () => {
		await Promise.all([
			setOrganisation(node(0), { defaultLocale: 'sv', currency: 'SEK' }, ADMIN),
			setOrganisation(node(1), { defaultLocale: 'fr', currency: 'EUR' }, ADMIN)
		]);
		const [, first, second] = await auditsOf(node(0), 'organisation');
		const after = (a: typeof first) => (a.data as { after: unknown }).after;
		expect((second.data as { before: unknown }).before).toEqual(after(first));
		expect(await settingsOn(node(0))).toEqual(after(second));
	});
});
