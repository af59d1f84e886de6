/**
 * Counts failures per key in a sliding window and refuses a key once it has too many.
 * In memory: Honorboard runs as one process, and a restart forgetting counts is acceptable.
 */
export class FailureLimiter {
	private failures = new Map<string, number[]>();

	constructor(
		private readonly limit: number,
		private readonly windowMs: number
	) {}

	/** Milliseconds until the key may try again; 0 when it may try now. */
	retryAfter(key: string, now: number): number {
		const recent = this.recent(key, now);
		if (recent.length < this.limit) return 0;
		return recent[recent.length - this.limit] + this.windowMs - now;
	}

	fail(key: string, now: number): void {
		const recent = this.recent(key, now);
		recent.push(now);
		this.failures.set(key, recent);
	}

	reset(key: string): void {
		this.failures.delete(key);
	}

	private recent(key: string, now: number): number[] {
		const kept = (this.failures.get(key) ?? []).filter((at) => at > now - this.windowMs);
		if (kept.length === 0) this.failures.delete(key);
		return kept;
	}
}

const WINDOW = 15 * 60 * 1000;
// Note: per account slows guessing one password; per IP slows spraying many accounts.
export const loginLimits = {
	account: new FailureLimiter(5, WINDOW),
	ip: new FailureLimiter(20, WINDOW)
};
