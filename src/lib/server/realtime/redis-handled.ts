// The Redis client as the Socket.IO adapter gets it: every promise a command returns is handled.
//
// The adapter drops some of its commands' promises (the PUB/SUB publish behind
// `io.serverSideEmit`, the SET that keeps a dropped socket's session, the subscription of its
// reading copy). When the connection to Redis breaks, node-redis rejects the commands still
// waiting for their answer; a rejection nobody handles stops Node (exit code 1), and the node
// went down with Redis, its sales API included. Here each command's promise gets a handler
// (it logs), and is returned as it was: a caller that awaits it still sees the error.
//
// The copies the adapter makes (`duplicate()`: one reads the stream, one subscribes) are handled
// the same way, and counted, so that readiness can ask whether all of them are connected.
//
// The commands sent and not answered yet are counted too (all clients together): while Redis
// hangs they pile up, and the metrics show how many (redis.ts bounds them).

/** The part of a node-redis client this module relies on. */
export interface RedisClientLike {
	duplicate(...args: unknown[]): RedisClientLike;
	readonly isReady: boolean;
}

export interface HandledClients<T extends RedisClientLike> {
	/** The client to give the adapter: the same client, its promises handled. */
	client: T;
	/** Whether the client and every copy of it are connected and ready. */
	allReady(): boolean;
	/** Commands sent through the client or its copies and not answered (nor failed) yet. */
	pending(): number;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as PromiseLike<unknown>).then === 'function'
	);
}

/**
 * Wraps `client` (and the copies `duplicate()` makes of it) so that no command's promise is left
 * unhandled: a failure goes to `onFailure` with the command's name, an answer to `onAnswer`.
 */
export function handledClients<T extends RedisClientLike>(
	client: T,
	onFailure: (command: string, error: unknown) => void,
	onAnswer?: () => void
): HandledClients<T> {
	const clients = new Set<RedisClientLike>([client]);
	let pending = 0;
	function wrap<C extends RedisClientLike>(target: C, copy: boolean): C {
		const wrappers = new Map<PropertyKey, unknown>();
		return new Proxy(target, {
			get(object, property) {
				// The client's own `this`: its private fields are not the proxy's.
				const value: unknown = Reflect.get(object, property, object);
				if (typeof value !== 'function') return value;
				let wrapper = wrappers.get(property);
				if (wrapper) return wrapper;
				const name = String(property);
				if (property === 'duplicate') {
					wrapper = (...args: unknown[]) => {
						const duplicate = value.apply(object, args) as RedisClientLike;
						clients.add(duplicate);
						return wrap(duplicate, true);
					};
				} else if (copy && property === 'connect') {
					// The adapter connects its copies inside promise chains that have no handler of
					// their own: a copy that cannot connect (the node stopping meanwhile) resolves
					// unconnected, and its commands fail (handled) rather than the chain.
					wrapper = (...args: unknown[]) =>
						Promise.resolve(value.apply(object, args)).catch((error: unknown) => {
							onFailure(name, error);
							return object;
						});
				} else {
					wrapper = (...args: unknown[]) => {
						const result: unknown = value.apply(object, args);
						if (isThenable(result)) {
							pending++;
							result.then(
								() => {
									pending--;
									onAnswer?.();
								},
								(error) => {
									pending--;
									onFailure(name, error);
								}
							);
						}
						return result;
					};
				}
				wrappers.set(property, wrapper);
				return wrapper;
			}
		});
	}
	return {
		client: wrap(client, false),
		allReady: () => [...clients].every((each) => each.isReady),
		pending: () => pending
	};
}
