/**
 * A connection URL fit for messages and pages: its password, if any, replaced by `***`.
 * Something that does not parse as a URL is not shown at all (it may be a password itself);
 * `unparsable` stands in for it.
 */
export function withoutPassword(url: string, unparsable = '(not a URL)'): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return unparsable;
	}
}
