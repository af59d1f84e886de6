// A bench's command-line flags (`--quick`) and numeric options (`--seconds 90`), the way
// bench:ingest and bench:restart read them.
const args = process.argv.slice(2);

/** Whether `--name` was given. */
export const flag = (name: string) => args.includes(`--${name}`);

/** The number after `--name`, or `fallback` when it was not given. */
export function option(name: string, fallback: number): number {
	const at = args.indexOf(`--${name}`);
	return at === -1 ? fallback : Number(args[at + 1]);
}

/** The text after `--name`, or undefined when it was not given. */
export function textOption(name: string): string | undefined {
	const at = args.indexOf(`--${name}`);
	return at === -1 ? undefined : args[at + 1];
}
