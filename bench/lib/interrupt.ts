// What a bench started must not outlive it, even when it is interrupted. A signal to the bench's
// process group (Ctrl-C, a runner's time-out) also reaches the throwaway PostgreSQL, which shuts
// down by itself; but the bench died at once, before it removed the cluster's folder: that is what
// left the /tmp/honorboard-pg-* folders behind. Here the bench first runs its stops, then exits.
const stops = new Set<() => Promise<unknown>>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs every stop still registered: also for a bench that fails before its own clean-up. */
export async function stopEverything() {
	await Promise.allSettled([...stops].map((stop) => stop()));
}

let stopping = false;

async function stopAllAndExit(signal: NodeJS.Signals) {
	if (stopping) return;
	stopping = true;
	await stopEverything();
	// 128 + the signal's number, as a shell reports a process a signal ended.
	process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]);
}

/**
 * Runs `stop` if the bench is interrupted before it calls the returned function (which it does
 * once it has stopped the thing itself).
 */
export function stopOnInterrupt(stop: () => Promise<unknown>): () => void {
	// `on`, not `once`: a signal to the group comes again through tsx and npm, which relay it; with
	// no listener left, tsx's own exits at once (what left the folders even with a handler).
	if (stops.size === 0) for (const signal of SIGNALS) process.on(signal, stopAllAndExit);
	stops.add(stop);
	return () => {
		stops.delete(stop);
		if (stops.size === 0) for (const signal of SIGNALS) process.off(signal, stopAllAndExit);
	};
}
