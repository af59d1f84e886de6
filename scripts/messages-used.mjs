import { readFile } from 'node:fs/promises';

/**
 * Server modules import the messages as `import { m } from '…/paraglide/messages.js'`, a
 * re-exported namespace that esbuild cannot tree-shake: every bundle carried all ~2,700
 * messages in six languages (6.9 of build/server.js's 7.3 MB, compiled at every start). As
 * `import * as m from '…/messages/_index.js'` esbuild keeps only the messages the server uses
 * (docs/benchmarks.md, "Cold start").
 * @type {import('esbuild').Plugin}
 */
export const messagesUsed = {
	name: 'paraglide-messages-used',
	setup(b) {
		b.onLoad({ filter: /[\\/]src[\\/]lib[\\/].*\.ts$/ }, async (args) => {
			const source = await readFile(args.path, 'utf8');
			if (!source.includes('paraglide/messages.js')) return undefined;
			return {
				contents: source.replace(
					/import \{ m \} from '((?:\.\.\/)+)paraglide\/messages\.js';/g,
					"import * as m from '$1paraglide/messages/_index.js';"
				),
				loader: 'ts'
			};
		});
	}
};
