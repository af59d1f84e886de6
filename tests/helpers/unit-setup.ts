// Before each unit spec file. The unit specs share one module graph per worker (vite.config.ts:
// `isolate: false`, 5× faster than importing it again for each file): what a file may change in
// a shared module is put back here, so that no file sees another's leftovers.
import {
	getLocale,
	overwriteGetLocale,
	overwriteServerAsyncLocalStorage
} from '$lib/paraglide/runtime';

const shared = globalThis as { paraglideGetLocale?: typeof getLocale };
// The first file's setup runs before any spec has overwritten it: that is the original.
shared.paraglideGetLocale ??= getLocale;
overwriteGetLocale(shared.paraglideGetLocale);
overwriteServerAsyncLocalStorage(undefined as never);
