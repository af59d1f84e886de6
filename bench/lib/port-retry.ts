// A fixed bench port can be taken for a moment: on this machine the ports handed out for outgoing
// connections (32768-60999) include the ranges the sessions' benches listen on, so a busy client
// elsewhere may hold one. Tries the next ports before giving up.

const TRIES = 5;

/** Runs `start(port)` for `first`, then the next ports while the port is in use. */
export async function startOnFreePort<T>(
	start: (port: number) => Promise<T>,
	first: number
): Promise<T> {
	for (let i = 0; ; i++) {
		try {
			return await start(first + i);
		} catch (error) {
			if (i + 1 >= TRIES || !String(error).includes('EADDRINUSE')) throw error;
		}
	}
}
