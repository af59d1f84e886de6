import prettier from 'eslint-config-prettier';
import { includeIgnoreFile } from '@eslint/compat';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { fileURLToPath } from 'node:url';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const gitignorePath = fileURLToPath(new URL('./.gitignore', import.meta.url));

export default ts.config(
	includeIgnoreFile(gitignorePath),
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node }
		},
		rules: {
			// typescript-eslint strongly recommend that you do not use the no-undef lint rule on TypeScript projects.
			// see: https://typescript-eslint.io/troubleshooting/faqs/eslint/#i-get-errors-from-the-no-undef-rule-about-global-variables-not-being-defined-even-though-there-are-no-terms-defined-in-the-typescript-file
			'no-undef': 'off'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				// No type information: it made the lint take 221 s of CPU instead of 48 (svelte-check
				// checks the types). Its one user, svelte/no-navigation-without-resolve, then accepts
				// only a resolve() call in place: the links built by appPath() or a resolve() held in
				// a variable say so where they are used.
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	{
		// Routes parse, authorize and call a service: queries live in $lib/server (see db/index.ts).
		files: ['src/routes/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['drizzle-orm', 'drizzle-orm/*', '$lib/server/db/schema', '**/db/schema'],
							message: 'Routes call a service in $lib/server; queries belong there.'
						}
					]
				}
			]
		}
	},
	{
		// Server code logs through $lib/server/shared/log.ts (JSON lines with levels and the
		// request id), never the console. The CLI (scripts/) prints to stdout as a CLI does.
		files: ['src/lib/server/**', 'src/hooks.server.ts', 'server.ts'],
		ignores: ['**/*.spec.ts'],
		rules: { 'no-console': 'error' }
	},
	{
		// The domain is pure: no database, no SvelteKit, no sockets, so it is testable on its own.
		files: ['src/lib/contest/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: [
								'$lib/server',
								'$lib/server/*',
								'**/server/*',
								'$app/*',
								'drizzle-orm',
								'drizzle-orm/*'
							],
							message: 'src/lib/contest is pure domain code: pass data in instead.'
						},
						{
							group: ['socket.io', 'socket.io-client'],
							message: 'src/lib/contest is pure domain code.'
						}
					]
				}
			]
		}
	}
);
