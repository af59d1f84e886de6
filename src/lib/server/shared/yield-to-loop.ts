/**
 * Lets the event loop turn once (timers, I/O, other requests) before the caller goes on: what
 * work done in slices awaits between two slices. A resolved promise would not do: it resumes in
 * a microtask, before any of them.
 */
export function yieldToLoop(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}
