import type { ServerToClientEvents } from '../../realtime/events';

/** What this module reads of engine.io's connection and its WebSocket transport (untyped). */
interface EngineConnection {
	readyState: string;
	writeBuffer: unknown[];
	transport: {
		name: string;
		writable: boolean;
		perMessageDeflate?: unknown;
		socket?: { readyState: number; _sender?: { sendFrame?(frame: Buffer[]): void } };
	};
}

/** What this module calls of socket.io's socket and adapter that their types keep private. */
interface SocketInside {
	conn: EngineConnection;
	notifyOutgoingListeners?(packet: unknown): void;
	client: { writeToEngine(encoded: unknown[], options: PacketOptions): void };
}

interface PacketOptions {
	preEncoded: true;
	/** The whole WebSocket frame, set by the adapter's `_encode` when it could build one. */
	wsPreEncodedFrame?: Buffer[];
}

interface AdapterInside {
	rooms: Map<string, Set<string>>;
	_encode(packet: unknown, options: PacketOptions): unknown[];
}

/** What this module reads of Socket.IO's main namespace, whatever its servers' event types. */
interface Namespace {
	name: string;
	adapter: object;
	sockets: Map<string, object>;
}

/** Socket.IO's EVENT packet type (socket.io-parser). */
const EVENT = 2;
/** ws's OPEN ready state. */
const OPEN = 1;

/**
 * `io.local.to(room).emit(event, data)`, with the frame written straight to each socket's
 * WebSocket where that keeps engine.io's order: the packet is encoded once and framed once, as
 * Socket.IO's broadcast does (socket.io-adapter's `_encode`), and the frame goes to `ws`'s
 * sender of every socket whose transport is an open, writable WebSocket with nothing waiting in
 * engine.io's write buffer, the way engine.io's transport would send it, without the packet,
 * events and write callback engine.io keeps per socket (docs/benchmarks.md, "A push to 5,000
 * watchers: frames straight to the sockets"). Any other socket (long polling, an upgrade under
 * way, packets buffered before this one) gets the same encoded packet through engine.io, so a
 * frame never overtakes one sent before it.
 *
 * Note: assumes an adapter that adds nothing to a local broadcast: the in-memory one, or a
 * cluster adapter (a local emit is neither published nor given a recovery offset). Without
 * Redis, attach.ts turns connection-state recovery off, so no in-memory session adapter is used.
 */
export function emitToRoom<E extends keyof ServerToClientEvents>(
	io: { of(name: '/'): Namespace },
	room: string,
	event: E,
	data: Parameters<ServerToClientEvents[E]>[0]
): void {
	const namespace = io.of('/');
	const adapter = namespace.adapter as AdapterInside;
	const ids = adapter.rooms.get(room);
	if (!ids?.size) return;
	const packet = { type: EVENT, data: [event, data], nsp: namespace.name };
	const options: PacketOptions = { preEncoded: true };
	const encoded = adapter._encode(packet, options);
	const frame = options.wsPreEncodedFrame;
	for (const id of ids) {
		const socket = namespace.sockets.get(id) as SocketInside | undefined;
		if (!socket) continue;
		socket.notifyOutgoingListeners?.(packet);
		const sender = frame && directSender(socket.conn);
		if (sender) sender.sendFrame!(frame);
		else socket.client.writeToEngine(encoded, options);
	}
}

/** The socket's `ws` sender when a frame written there now is in engine.io's order. */
function directSender(conn: EngineConnection) {
	const transport = conn.transport;
	const ws = transport.socket;
	if (
		conn.readyState !== 'open' ||
		transport.name !== 'websocket' ||
		!transport.writable ||
		conn.writeBuffer.length > 0 ||
		transport.perMessageDeflate ||
		ws?.readyState !== OPEN ||
		typeof ws._sender?.sendFrame !== 'function'
	)
		return undefined;
	return ws._sender;
}
